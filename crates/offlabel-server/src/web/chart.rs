//! The condition page's chart: each study as a mark, strength of design (rows, strongest
//! at the top) against number of patients (log scale), one colour and shape per medicine.
//! Inline SVG, no script; the studies table below it carries the same data as text.

use maud::{Markup, html};
use offlabel_model::{Design, Study};
use offlabel_pack::Pack;

/// Colours with at least 3:1 contrast on white (WCAG 1.4.11), one per medicine.
const COLOURS: [&str; 6] = [
    "#0b5cad", "#b3411a", "#0f7a4f", "#8e3b84", "#7a5a00", "#3d3d9e",
];
const SHAPES: [Shape; 6] = [
    Shape::Circle,
    Shape::Square,
    Shape::TriangleUp,
    Shape::Diamond,
    Shape::TriangleDown,
    Shape::Cross,
];

#[derive(Clone, Copy)]
enum Shape {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
}

/// SVG path data for a mark centred on (x, y).
fn mark(shape: Shape, x: f64, y: f64) -> String {
    let r = 5.5;
    match shape {
        Shape::Circle => format!(
            "M{:.1},{y:.1}a{r},{r} 0 1,0 {:.1},0a{r},{r} 0 1,0 -{:.1},0Z",
            x - r,
            2.0 * r,
            2.0 * r
        ),
        Shape::Square => format!(
            "M{:.1},{:.1}h{:.1}v{:.1}h-{:.1}Z",
            x - r + 0.8,
            y - r + 0.8,
            2.0 * r - 1.6,
            2.0 * r - 1.6,
            2.0 * r - 1.6
        ),
        Shape::TriangleUp => format!(
            "M{x:.1},{:.1}L{:.1},{:.1}L{:.1},{:.1}Z",
            y - r - 0.5,
            x + r,
            y + r - 0.5,
            x - r,
            y + r - 0.5
        ),
        Shape::TriangleDown => format!(
            "M{x:.1},{:.1}L{:.1},{:.1}L{:.1},{:.1}Z",
            y + r + 0.5,
            x + r,
            y - r + 0.5,
            x - r,
            y - r + 0.5
        ),
        Shape::Diamond => format!(
            "M{x:.1},{:.1}L{:.1},{y:.1}L{x:.1},{:.1}L{:.1},{y:.1}Z",
            y - r - 1.0,
            x + r + 1.0,
            y + r + 1.0,
            x - r - 1.0
        ),
        Shape::Cross => {
            let a = r * 0.38;
            format!(
                "M{:.1},{:.1}h{:.1}v{:.1}h{:.1}v{:.1}h-{:.1}v{:.1}h-{:.1}v-{:.1}h-{:.1}v-{:.1}h{:.1}Z",
                x - a,
                y - r,
                2.0 * a,
                r - a,
                r - a,
                2.0 * a,
                r - a,
                r - a,
                2.0 * a,
                r - a,
                r - a,
                2.0 * a,
                r - a
            )
        }
    }
}

/// The design rows, strongest first; designs of equal rank share a row.
fn rows() -> Vec<(u8, String)> {
    let mut out: Vec<(u8, String)> = Vec::new();
    for d in Design::ALL {
        let label = super::layout::design_label(*d);
        match out.iter_mut().find(|(r, _)| *r == d.rank()) {
            Some((_, l)) => {
                l.push_str(" / ");
                l.push_str(&d.label().replace(" trial", "").replace(" study", ""));
            }
            None => out.push((d.rank(), label)),
        }
    }
    out
}

const LEFT: f64 = 188.0;
const NR_X: f64 = 212.0;
const PLOT_X0: f64 = 248.0;
const PLOT_X1: f64 = 624.0;
const TOP: f64 = 12.0;
const ROW: f64 = 30.0;

/// The chart for `studies` (already ranked), with a legend that names each medicine.
pub(crate) fn evidence_chart(pack: &Pack, studies: &[&Study]) -> Markup {
    let rows = rows();
    let height = TOP + ROW * rows.len() as f64 + 46.0;
    let max_n = studies
        .iter()
        .filter_map(|s| s.n)
        .max()
        .unwrap_or(10)
        .max(10);
    let decades = (f64::from(max_n)).log10().ceil().max(1.0);
    let x_of = |n: u32| PLOT_X0 + (f64::from(n.max(1))).log10() / decades * (PLOT_X1 - PLOT_X0);
    let row_y = |rank: u8| {
        let i = rows.iter().position(|(r, _)| *r == rank).unwrap_or(0);
        TOP + ROW * i as f64 + ROW / 2.0
    };
    let medicines: Vec<(usize, &str, &str)> = pack
        .medicines
        .iter()
        .enumerate()
        .filter(|(_, m)| studies.iter().any(|s| s.medicine == m.id))
        .map(|(i, m)| (i, m.id.as_str(), m.name.as_str()))
        .collect();
    let style_of = |medicine: &str| {
        let i = pack
            .medicines
            .iter()
            .position(|m| m.id == medicine)
            .unwrap_or(0);
        (COLOURS[i % COLOURS.len()], SHAPES[i % SHAPES.len()], i)
    };
    // Studies that would land on the same spot (same row, same n, same medicine) are
    // spread sideways so each stays visible.
    let mut placed: Vec<(&Study, f64, f64)> = Vec::with_capacity(studies.len());
    for s in studies {
        let (_, _, i) = style_of(&s.medicine);
        let y = row_y(s.design.rank()) + (i as f64 - 2.5) * 3.5;
        let x = s.n.map_or(NR_X, x_of);
        placed.push((s, x, y));
    }
    let mut seen: Vec<((u8, u32, String), usize, usize)> = Vec::new();
    for (s, _, _) in &placed {
        let key = (s.design.rank(), s.n.unwrap_or(0), s.medicine.clone());
        match seen.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => entry.1 += 1,
            None => seen.push((key, 1, 0)),
        }
    }
    for (s, x, _) in placed.iter_mut() {
        let key = (s.design.rank(), s.n.unwrap_or(0), s.medicine.clone());
        if let Some((_, count, next)) = seen.iter_mut().find(|(k, c, _)| *k == key && *c > 1) {
            *x += (*next as f64 - (*count - 1) as f64 / 2.0) * 9.0;
            *next += 1;
        }
    }
    let ticks: Vec<u32> = (0..=decades as u32).map(|d| 10u32.pow(d)).collect();
    let strongest = studies.first();
    let summary = format!(
        "{} studies of {} medicines. Strongest: {}.",
        studies.len(),
        medicines.len(),
        strongest.map_or("none".to_string(), |s| format!(
            "{} of {}{}",
            s.design.label(),
            pack.medicine(&s.medicine)
                .map_or(s.medicine.as_str(), |m| m.name.as_str()),
            s.n.map(|n| format!(", {n} patients")).unwrap_or_default()
        ))
    );
    html! {
        figure.chart {
            svg viewBox={"0 0 640 " (height)} role="img" aria-labelledby="chart-title chart-desc" {
                title id="chart-title" { "Evidence by design and number of patients" }
                desc id="chart-desc" { (summary) " The table below lists every study." }
                @for (i, (rank, label)) in rows.iter().enumerate() {
                    @let y = row_y(*rank);
                    @if i % 2 == 0 {
                        rect x=(LEFT) y={(format!("{:.1}", y - ROW / 2.0))} width={(PLOT_X1 + 10.0 - LEFT)} height=(ROW) fill="#f3f5f8" {}
                    }
                    text x={(LEFT - 8.0)} y={(format!("{:.1}", y + 4.0))} text-anchor="end" font-size="12" fill="#1f2933" { (label) }
                }
                @for t in &ticks {
                    @let x = x_of(*t);
                    line x1={(format!("{x:.1}"))} x2={(format!("{x:.1}"))} y1=(TOP) y2={(format!("{:.1}", height - 40.0))} stroke="#c5cbd3" stroke-width="1" {}
                    text x={(format!("{x:.1}"))} y={(format!("{:.1}", height - 26.0))} text-anchor="middle" font-size="12" fill="#1f2933" { (t) }
                }
                line x1=(NR_X) x2=(NR_X) y1=(TOP) y2={(format!("{:.1}", height - 40.0))} stroke="#c5cbd3" stroke-dasharray="3 3" {}
                text x=(NR_X) y={(format!("{:.1}", height - 26.0))} text-anchor="middle" font-size="11" fill="#1f2933" { "n/r" }
                text x={(format!("{:.1}", (PLOT_X0 + PLOT_X1) / 2.0))} y={(format!("{:.1}", height - 6.0))} text-anchor="middle" font-size="12" fill="#1f2933" {
                    "Number of patients (log scale; n/r = not reported)"
                }
                @for (s, x, y) in &placed {
                    @let (colour, shape, _) = style_of(&s.medicine);
                    path d=(mark(shape, *x, *y)) fill=(colour) fill-opacity="0.85" stroke="#111827" stroke-width="0.8" {
                        title {
                            (pack.medicine(&s.medicine).map_or(s.medicine.as_str(), |m| m.name.as_str())) " — " (s.design.label())
                            @match s.n { Some(n) => { ", n=" (n) } None => ", n not reported" }
                        }
                    }
                }
            }
            figcaption {
                "Each mark is one study; higher rows are stronger designs, marks further right had more patients."
                ul.legend {
                    @for (i, id, name) in &medicines {
                        li {
                            svg.swatch viewBox="0 0 16 16" aria-hidden="true" focusable="false" {
                                path d=(mark(SHAPES[i % SHAPES.len()], 8.0, 8.0)) fill=(COLOURS[i % COLOURS.len()]) stroke="#111827" stroke-width="0.8" {}
                            }
                            (name) " (" (studies.iter().filter(|s| s.medicine == *id).count()) ")"
                        }
                    }
                }
            }
        }
    }
}
