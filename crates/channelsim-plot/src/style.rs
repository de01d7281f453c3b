//! Palette, line looks, markers, legends, units and number formats.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::element::{ComposedElement, DashedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use channelsim_results::catalogue::{self, Unit};

use crate::PlotError;
use crate::figure::DrawError;
use crate::read::LineMeta;

pub const FONT: &str = "sans-serif";
pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const GRID: RGBColor = RGBColor(232, 232, 232);
pub const GRID_BOLD: RGBColor = RGBColor(205, 205, 205);

/// Registers DejaVu Sans as `sans-serif` (regular and bold), once.
pub fn register_fonts() -> Result<(), PlotError> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

pub fn text(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal).color(&INK)
}
pub fn text_grey(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal).color(&GREY)
}
pub fn bold(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Bold).color(&INK)
}
pub fn anchored(s: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    s.pos(Pos::new(h, v))
}

/// Okabe–Ito without yellow (too pale on white), one per strategy.
const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(0, 0, 0),       // black
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
];
/// Paul Tol's "muted" scheme, for hues beyond seven.
const TOL_MUTED: [RGBColor; 8] = [
    RGBColor(136, 34, 85),
    RGBColor(153, 153, 51),
    RGBColor(68, 170, 153),
    RGBColor(51, 34, 136),
    RGBColor(170, 68, 153),
    RGBColor(221, 204, 119),
    RGBColor(136, 204, 238),
    RGBColor(17, 119, 51),
];

pub fn hue(i: usize) -> RGBColor {
    if i < OKABE_ITO.len() {
        OKABE_ITO[i]
    } else {
        TOL_MUTED[(i - OKABE_ITO.len()) % TOL_MUTED.len()]
    }
}

fn rank(order: &[&str], seen: &mut Vec<String>, s: &str) -> usize {
    if let Some(i) = order.iter().position(|x| *x == s) {
        return i;
    }
    if !seen.iter().any(|x| x == s) {
        seen.push(s.to_string());
    }
    order.len() + seen.iter().position(|x| x == s).unwrap_or(0)
}

/// How one line is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub color: RGBColor,
    /// Dashed line and hollow marker (short-term, or the second round of hues).
    pub dashed: bool,
    pub marker: usize,
}

/// Looks for lines, plus the order to list them in. With one line per
/// (strategy, policy), the hue follows the strategy and short-term lines are
/// dashed; otherwise lines get hues in turn, dashed after the first seven.
pub fn looks(lines: &[LineMeta]) -> (Vec<Look>, Vec<usize>) {
    let mut pairs: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l.strategy.as_str(), l.policy.as_str()))
        .collect();
    pairs.sort();
    pairs.dedup();
    let structured = lines.len() > 1
        && pairs.len() == lines.len()
        && lines.iter().all(|l| !l.strategy.is_empty());
    if structured {
        let mut seen_s = Vec::new();
        let mut seen_p = Vec::new();
        let keys: Vec<(usize, usize)> = lines
            .iter()
            .map(|l| {
                (
                    rank(&[], &mut seen_s, &l.strategy),
                    rank(&["long_term", "short_term"], &mut seen_p, &l.policy),
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        let first_policy = keys.iter().map(|k| k.1).min().unwrap_or(0);
        let looks = keys
            .iter()
            .map(|&(s, p)| Look {
                color: hue(s),
                dashed: p != first_policy,
                marker: s % N_MARKERS,
            })
            .collect();
        (looks, order)
    } else {
        let looks = (0..lines.len())
            .map(|i| {
                let h = if i < 14 { i % 7 } else { i - 7 };
                Look {
                    color: hue(h),
                    dashed: (7..14).contains(&i),
                    marker: i % N_MARKERS,
                }
            })
            .collect();
        (looks, (0..lines.len()).collect())
    }
}

/// A line's name: the variant with one vendor, the vendor with one variant,
/// else "variant · vendor".
pub fn line_label(l: &LineMeta, n_variants: usize, n_vendors: usize) -> String {
    if n_vendors <= 1 {
        l.variant.clone()
    } else if n_variants <= 1 {
        l.vendor.clone()
    } else {
        format!("{} · {}", l.variant, l.vendor)
    }
}

pub const N_MARKERS: usize = 7;

fn ngon(n: usize, r: f64, rot: f64) -> Vec<(i32, i32)> {
    (0..n)
        .map(|k| {
            let a = rot + k as f64 * std::f64::consts::TAU / n as f64;
            ((r * a.sin()).round() as i32, (-r * a.cos()).round() as i32)
        })
        .collect()
}

fn star(r: f64) -> Vec<(i32, i32)> {
    (0..10)
        .map(|k| {
            let a = k as f64 * std::f64::consts::TAU / 10.0;
            let rr = if k % 2 == 0 { r * 1.25 } else { r * 0.55 };
            (
                (rr * a.sin()).round() as i32,
                (-rr * a.cos()).round() as i32,
            )
        })
        .collect()
}

/// The outline of marker `m` around (0, 0), radius about `r` pixels.
fn marker_shape(m: usize, r: f64) -> Vec<(i32, i32)> {
    use std::f64::consts::PI;
    match m % N_MARKERS {
        0 => ngon(16, r, 0.0),
        1 => ngon(3, r * 1.25, 0.0),
        2 => ngon(4, r * 1.2, PI / 4.0),
        3 => ngon(4, r * 1.3, 0.0),
        4 => ngon(3, r * 1.25, PI),
        5 => ngon(5, r * 1.15, 0.0),
        _ => star(r),
    }
}

/// A marker: a filled shape and its outline, in pixels around a point.
pub type Marker<C, DB> = ComposedElement<C, DB, Polygon<(i32, i32)>, PathElement<(i32, i32)>>;

/// A marker element at `p` (data coordinates); hollow markers are white inside.
pub fn marker<DB: DrawingBackend, C>(p: C, look: &Look, r: f64) -> Marker<C, DB> {
    let shape = marker_shape(look.marker, r);
    let mut outline = shape.clone();
    outline.push(shape[0]);
    let fill = if look.dashed { WHITE } else { look.color };
    EmptyElement::at(p)
        + Polygon::new(shape, fill.filled())
        + PathElement::new(outline, look.color.stroke_width(2))
}

/// An f64 axis with ticks exactly where asked (months by year, categories).
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
        Ticked { lo, hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (t * (limit.1 - limit.0) as f64).round() as i32
    }
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A legend row: a line sample or a filled patch.
#[derive(Clone)]
pub enum Key {
    Line(Look),
    Patch(RGBAColor),
}

#[derive(Clone)]
pub struct LegendEntry {
    pub label: String,
    pub key: Key,
}

const ROW: i32 = 22;

/// Width a legend column needs for these labels.
pub fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
) -> Result<u32, DrawError> {
    let mut w = area.estimate_text_size(title, &bold(14.0))?.0;
    for e in entries {
        w = w.max(area.estimate_text_size(&e.label, &text(14.0))?.0 + 52);
    }
    Ok(w + 24)
}

/// Draws a legend column: title, then one row per entry from `top`.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
    top: i32,
) -> Result<(), DrawError> {
    let x0 = 12;
    area.draw_text(
        title,
        &anchored(bold(14.0), HPos::Left, VPos::Center),
        (x0, top),
    )?;
    for (i, e) in entries.iter().enumerate() {
        let y = top + ROW * (i as i32 + 1) + 4;
        match &e.key {
            Key::Line(look) => {
                let pts = vec![(x0, y), (x0 + 38, y)];
                let st = look.color.stroke_width(2);
                if look.dashed {
                    area.draw(&DashedPathElement::new(pts, 6, 4, st))?;
                } else {
                    area.draw(&PathElement::new(pts, st))?;
                }
                area.draw(&marker::<DB, (i32, i32)>((x0 + 19, y), look, 4.5))?;
            }
            Key::Patch(c) => {
                area.draw(&Rectangle::new(
                    [(x0 + 6, y - 7), (x0 + 32, y + 7)],
                    c.filled(),
                ))?;
            }
        }
        area.draw_text(
            &e.label,
            &anchored(text(14.0), HPos::Left, VPos::Center),
            (x0 + 48, y),
        )?;
    }
    Ok(())
}

/// What a metric measures and how its axis is labelled: its title and
/// unit from the catalogue (`channelsim-results`).
pub fn metric_info(m: &str) -> (String, Unit) {
    match catalogue::find(m) {
        Some(x) => (x.title.to_string(), x.unit),
        None => (m.to_string(), Unit::Count("")),
    }
}

/// The divisor for values and the axis unit text. Files state money in
/// M CNY already, so every money axis reads M CNY (one unit everywhere).
pub fn scale(unit: Unit, _max_abs: f64) -> (f64, String) {
    match unit {
        Unit::Share => (1.0, "0–1".to_string()),
        u => (1.0, u.label().to_string()),
    }
}

/// A title for use mid-sentence: first letter lowercased unless the word
/// is an acronym ("NPV", "ARR").
pub fn mid_sentence(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if !b.is_uppercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// Axis text: "title (unit)", or the title alone.
pub fn with_unit(title: &str, unit: &str) -> String {
    if unit.is_empty() || title.to_lowercase().contains(&unit.to_lowercase()) {
        title.to_string()
    } else {
        format!("{title} ({unit})")
    }
}

/// A metric's part of a chart's file name: its catalogue name (without
/// the unit suffix of its column), so chart names stay short and stable.
pub fn metric_slug(m: &str) -> String {
    file_safe(catalogue::find(m).map_or(m, |x| x.name))
}

/// A name usable in a file name.
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A number with thousands separators and at most `dec` decimals (trailing
/// zeros dropped).
pub fn fmt_num(v: f64, dec: usize) -> String {
    grouped(v, dec, true)
}

/// Like [`fmt_num`] but always `dec` decimals (table columns).
pub fn fmt_fixed(v: f64, dec: usize) -> String {
    grouped(v, dec, false)
}

fn grouped(v: f64, dec: usize, trim: bool) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", dec, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) if trim => (i.to_string(), f.trim_end_matches('0').to_string()),
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (s, String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let neg = v < 0.0 && (grouped.chars().any(|c| c != '0' && c != ',') || !frac.is_empty());
    let mut out = if neg {
        "−".to_string()
    } else {
        String::new()
    };
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out
}

/// Decimals that tell apart ticks over a span of `span`.
pub fn decimals_for(span: f64) -> usize {
    if !(span.is_finite() && span > 0.0) {
        return 2;
    }
    ((-(span / 10.0).log10()).ceil() + 1.0).clamp(0.0, 6.0) as usize
}

/// Decimals for a value shown alone (table cells, labels).
pub fn decimals_for_value(v: f64) -> usize {
    let a = v.abs();
    if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    }
}

/// A padded axis range around finite values; `include_zero` keeps 0 in view.
pub fn padded(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let d = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Viridis (colour-blind safe, sequential) at `t` in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(1234567.0, 0), "1,234,567");
        assert_eq!(fmt_num(-1234.5, 1), "−1,234.5");
        assert_eq!(fmt_num(0.25, 2), "0.25");
        assert_eq!(fmt_num(2.0, 2), "2");
        assert_eq!(fmt_num(-0.0001, 2), "0");
        assert_eq!(fmt_num(f64::NAN, 2), "–");
        assert_eq!(fmt_fixed(0.7, 2), "0.70");
        assert_eq!(fmt_fixed(-1234.0, 1), "−1,234.0");
        assert_eq!(decimals_for(120.0), 0);
        assert_eq!(
            mid_sentence("Net present value (NPV)"),
            "net present value (NPV)"
        );
        assert_eq!(mid_sentence("NPV"), "NPV");
        assert_eq!(decimals_for(1.0), 2);
    }

    fn line(v: &str, s: &str, p: &str) -> LineMeta {
        LineMeta {
            variant: v.into(),
            vendor: "focal".into(),
            strategy: s.into(),
            policy: p.into(),
        }
    }

    #[test]
    fn looks_follow_strategy_and_policy() {
        let lines = vec![
            line("b", "online", "short_term"),
            line("a", "abu", "long_term"),
            line("c", "online", "long_term"),
        ];
        let (l, order) = looks(&lines);
        // Strategies in order of first appearance (plot keeps no list of
        // strategy names), long-term before short-term.
        assert_eq!(order, vec![2, 0, 1]);
        assert_eq!(l[0].color, l[2].color);
        assert!(l[0].dashed && !l[2].dashed && !l[1].dashed);
        assert_ne!(l[0].color, l[1].color);
    }

    #[test]
    fn fourteen_unstructured_lines_are_distinct() {
        let lines: Vec<_> = (0..14)
            .map(|i| line(&i.to_string(), "abu", "long_term"))
            .collect();
        let (l, _) = looks(&lines);
        for i in 0..14 {
            for j in 0..i {
                assert_ne!((l[i].color, l[i].dashed), (l[j].color, l[j].dashed));
            }
        }
    }
}
