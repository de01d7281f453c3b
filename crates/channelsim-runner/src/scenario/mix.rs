//! A vendor's `strategy` or `mix` → the core's [`Mix`] (which strategy
//! serves each tier and segment), naming strategies the scenario defines
//! (the seed's seven and its own, `params.strategies`).

use channelsim_core::ids::{N_SEG, N_TIER, Segment};
use channelsim_core::params::Mix;

use super::error::{Diagnostic, ErrorKind, Sources, allowed_list};
use super::index::P;
use super::raw::{RawMixEntry, RawStrategy};
use super::tree::Node;

/// Looks up a path under the vendor's table.
pub(crate) type VendorAt<'a, 'r> = &'a dyn Fn(&[P<'_>]) -> Option<&'r Node>;

fn segment_names() -> Vec<&'static str> {
    Segment::ALL.iter().map(|s| s.name()).collect()
}

fn parse_segment(s: &str) -> Option<Segment> {
    Segment::ALL.into_iter().find(|x| x.name() == s)
}

fn parse_strategy(
    s: &str,
    names: &[&str],
    node: &Node,
    key: &str,
    sources: &Sources<'_>,
) -> Result<String, Diagnostic> {
    if names.contains(&s) {
        return Ok(s.to_string());
    }
    Err(sources.at_node(
        ErrorKind::UnknownName,
        node,
        None,
        key,
        format!("unknown strategy; allowed: {}", allowed_list(s, names)),
    ))
}

/// The vendor's mix from `strategy` (a name or a table by segment) or `mix`
/// (a list of entries); `vpath` is `vendor.<name>`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn resolve_mix<'r>(
    names: &[&str],
    strategy: Option<RawStrategy>,
    mix: Option<Vec<RawMixEntry>>,
    vpath: &str,
    vat: VendorAt<'_, 'r>,
    vnode: &'r Node,
    sources: &Sources<'_>,
) -> Result<Mix, Diagnostic> {
    match (strategy, mix) {
        (Some(_), Some(_)) => Err(sources.at_node(
            ErrorKind::Invalid,
            vat(&[P::K("mix")]).unwrap_or(vnode),
            vnode.loc.as_ref(),
            format!("{vpath}.mix"),
            "give either strategy or mix, not both",
        )),
        (None, None) => Err(sources.diag(
            ErrorKind::Missing,
            vnode.loc.as_ref(),
            vpath,
            None,
            format!(
                "missing required key \"strategy\" (or \"mix\"); strategies: {}",
                names.join(", ")
            ),
        )),
        (Some(RawStrategy::All(s)), None) => {
            let node = vat(&[P::K("strategy")]).unwrap_or(vnode);
            let st = parse_strategy(&s, names, node, &format!("{vpath}.strategy"), sources)?;
            Ok(Mix::uniform(st))
        }
        (Some(RawStrategy::BySegment(pairs)), None) => {
            by_segment(names, &pairs, vpath, vat, vnode, sources)
        }
        (None, Some(entries)) => from_entries(names, &entries, vpath, vat, vnode, sources),
    }
}

/// `strategy = { small = "online", large = "abu" }`: every tier; segments
/// not named are not targeted.
fn by_segment<'r>(
    names: &[&str],
    pairs: &[(String, String)],
    vpath: &str,
    vat: VendorAt<'_, 'r>,
    vnode: &'r Node,
    sources: &Sources<'_>,
) -> Result<Mix, Diagnostic> {
    let snode = vat(&[P::K("strategy")]).unwrap_or(vnode);
    if pairs.is_empty() {
        return Err(sources.at_node(
            ErrorKind::Invalid,
            snode,
            vnode.loc.as_ref(),
            format!("{vpath}.strategy"),
            "the strategy table names no segment; give at least one of small, medium, large, strategic",
        ));
    }
    let mut m = Mix(Default::default());
    for (seg, s) in pairs {
        let entry = snode.entry(seg);
        let key = format!("{vpath}.strategy.{seg}");
        let Some(sg) = parse_segment(seg) else {
            return Err(sources.diag(
                ErrorKind::UnknownKey,
                entry
                    .and_then(|e| e.key_loc.as_ref())
                    .or(snode.loc.as_ref()),
                key,
                None,
                format!(
                    "unknown segment {seg:?}; allowed: {}",
                    allowed_list(seg, &segment_names())
                ),
            ));
        };
        let node = entry.map_or(snode, |e| &e.node);
        let st = parse_strategy(s, names, node, &key, sources)?;
        for t in m.0.iter_mut() {
            t[sg as usize] = Some(st.clone());
        }
    }
    Ok(m)
}

/// `mix = [ { strategy, segments, tiers }, ... ]`; a (segment, tier) given
/// to two entries is an error naming both.
fn from_entries<'r>(
    names: &[&str],
    entries: &[RawMixEntry],
    vpath: &str,
    vat: VendorAt<'_, 'r>,
    vnode: &'r Node,
    sources: &Sources<'_>,
) -> Result<Mix, Diagnostic> {
    let mix_node = vat(&[P::K("mix")]).unwrap_or(vnode);
    if entries.is_empty() {
        return Err(sources.at_node(
            ErrorKind::Invalid,
            mix_node,
            vnode.loc.as_ref(),
            format!("{vpath}.mix"),
            "the mix is empty; give at least one { strategy = ..., segments = [...], tiers = [...] }",
        ));
    }
    let mut m = Mix(Default::default());
    // Which entry set each cell, for overlap messages.
    let mut owner = [[None::<usize>; N_SEG]; N_TIER];
    for (k, e) in entries.iter().enumerate() {
        let enode = vat(&[P::K("mix"), P::I(k)]).unwrap_or(mix_node);
        let epath = format!("{vpath}.mix[{k}]");
        let Some(s) = &e.strategy else {
            return Err(sources.diag(
                ErrorKind::Missing,
                enode.loc.as_ref(),
                epath,
                None,
                format!(
                    "missing required key \"strategy\" in a mix entry; strategies: {}",
                    names.join(", ")
                ),
            ));
        };
        let snode = vat(&[P::K("mix"), P::I(k), P::K("strategy")]).unwrap_or(enode);
        let st = parse_strategy(s, names, snode, &format!("{epath}.strategy"), sources)?;
        let mut segs = Vec::new();
        match &e.segments {
            None => segs.extend(Segment::ALL),
            Some(list) => {
                for (q, name) in list.iter().enumerate() {
                    let Some(sg) = parse_segment(name) else {
                        let node = vat(&[P::K("mix"), P::I(k), P::K("segments"), P::I(q)])
                            .unwrap_or(enode);
                        return Err(sources.at_node(
                            ErrorKind::UnknownName,
                            node,
                            enode.loc.as_ref(),
                            format!("{epath}.segments[{q}]"),
                            format!(
                                "unknown segment; allowed: {}",
                                allowed_list(name, &segment_names())
                            ),
                        ));
                    };
                    segs.push(sg);
                }
            }
        }
        let mut tiers: Vec<usize> = Vec::new();
        match &e.tiers {
            None => tiers.extend(0..N_TIER),
            Some(list) => {
                for (q, &t) in list.iter().enumerate() {
                    if !(1..=4).contains(&t) {
                        let node =
                            vat(&[P::K("mix"), P::I(k), P::K("tiers"), P::I(q)]).unwrap_or(enode);
                        return Err(sources.at_node(
                            ErrorKind::OutOfRange,
                            node,
                            enode.loc.as_ref(),
                            format!("{epath}.tiers[{q}]"),
                            "out of range: a tier is 1, 2, 3 or 4",
                        ));
                    }
                    tiers.push(t as usize - 1);
                }
            }
        }
        for &t in &tiers {
            for &sg in &segs {
                match owner[t][sg as usize] {
                    Some(other) if other != k => {
                        let prev = m.0[t][sg as usize].as_deref().unwrap_or("?");
                        let onode = vat(&[P::K("mix"), P::I(other)]).unwrap_or(mix_node);
                        let oline = sources.line_of(onode.loc.as_ref());
                        return Err(sources.at_node(
                            ErrorKind::MixOverlap,
                            enode,
                            mix_node.loc.as_ref(),
                            epath,
                            format!(
                                "overlap: segment {} in tier {} is given to both {prev:?} (mix[{other}], line {oline}) and {:?} (mix[{k}]); each segment and tier may have one strategy",
                                sg.name(),
                                t + 1,
                                st
                            ),
                        ));
                    }
                    _ => {
                        owner[t][sg as usize] = Some(k);
                        m.0[t][sg as usize] = Some(st.clone());
                    }
                }
            }
        }
    }
    Ok(m)
}
