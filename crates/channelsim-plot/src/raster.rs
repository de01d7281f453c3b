//! The PNG backend: plotters' bitmap backend with its own text drawing.
//! plotters 0.3.7 places ab_glyph glyphs without their side bearings, which
//! leaves uneven gaps inside words; here each glyph goes where its outline
//! says. Layout (width, anchors, baseline) matches plotters'.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
    text_anchor::{HPos, VPos},
};

fn fonts() -> Option<&'static (FontRef<'static>, FontRef<'static>)> {
    static F: OnceLock<Option<(FontRef<'static>, FontRef<'static>)>> = OnceLock::new();
    F.get_or_init(|| {
        Some((
            FontRef::try_from_slice(dejavu::sans::regular()).ok()?,
            FontRef::try_from_slice(dejavu::sans::bold()).ok()?,
        ))
    })
    .as_ref()
}

pub struct Png<'a>(pub BitMapBackend<'a>);

type R<E> = Result<(), DrawingErrorKind<E>>;

impl<'a> DrawingBackend for Png<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> R<Self::ErrorType> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> R<Self::ErrorType> {
        self.0.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> R<Self::ErrorType> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
    ) -> R<Self::ErrorType> {
        self.0.draw_line(a, b, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
        fill: bool,
    ) -> R<Self::ErrorType> {
        self.0.draw_rect(a, b, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> R<Self::ErrorType> {
        self.0.draw_path(path, s)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        s: &S,
        fill: bool,
    ) -> R<Self::ErrorType> {
        self.0.draw_circle(c, r, s, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> R<Self::ErrorType> {
        self.0.fill_polygon(vert, s)
    }
    fn blit_bitmap(&mut self, p: BackendCoord, size: (u32, u32), src: &[u8]) -> R<Self::ErrorType> {
        self.0.blit_bitmap(p, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> R<Self::ErrorType> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let Some((regular, bold)) = fonts() else {
            return self.0.draw_text(text, style, pos);
        };
        let font = if matches!(style.style(), FontStyle::Bold) {
            bold
        } else {
            regular
        };
        let size = style.size() as f32;
        let sf = font.as_scaled(size);
        // Same layout box as plotters' ab_glyph estimate.
        let mut width = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                width += sf.kern(p, id);
            }
            width += sf.h_advance(id);
            prev = Some(id);
        }
        let (w, h) = (width as i32, (size / 1.24) as i32);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -w,
            HPos::Center => -w / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -h / 2,
            VPos::Bottom => -h,
        };
        let trans = style.transform();
        let (cw, ch) = self.get_size();
        let base = size / 2.0;
        let mut pen = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                pen += sf.kern(p, id);
            }
            prev = Some(id);
            let g = id.with_scale_and_position(size, point(pen, base));
            pen += sf.h_advance(id);
            let Some(q) = font.outline_glyph(g) else {
                continue;
            };
            let b = q.px_bounds();
            let mut err = Ok(());
            q.draw(|x, y, cov| {
                if err.is_err() || cov <= 0.0 {
                    return;
                }
                let (gx, gy) = (
                    b.min.x as i32 + x as i32 + dx,
                    b.min.y as i32 + y as i32 + dy,
                );
                let (tx, ty) = trans.transform(gx, gy);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && py >= 0 && (px as u32) < cw && (py as u32) < ch {
                    err = self.0.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: color.alpha * cov.min(1.0) as f64,
                            rgb: color.rgb,
                        },
                    );
                }
            });
            err?;
        }
        Ok(())
    }
}
