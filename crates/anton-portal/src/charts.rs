//! Charts drawn on the server as SVG: no script, no image request, styled by attributes (the
//! CSP allows no inline style). Each chart has a title for assistive technology and the same
//! figures as a table beside it.

use maud::{html, Markup};

const WIDTH: i64 = 640;
const HEIGHT: i64 = 180;
const AXIS: i64 = 24;

/// One bar: its label under the axis, its value, and the value as people read it (`None`:
/// no value that day, drawn as no bar).
pub(crate) struct Bar {
    pub label: String,
    pub value: Option<i64>,
    pub shown: String,
}

/// A bar chart of `bars` (left to right), scaled to `max` (at least the largest value), with
/// `title` as its accessible name. Every `label_every`-th bar, counted from the last, is
/// labelled under the axis.
pub(crate) fn bars(id: &str, title: &str, bars: &[Bar], max: i64, label_every: usize) -> Markup {
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .max()
        .unwrap_or(0)
        .max(max)
        .max(1);
    let n = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let plot = HEIGHT - AXIS;
    html! {
        figure.chart {
            svg id=(id) role="img" aria-labelledby=(format!("{id}-title")) viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width="100%" preserveAspectRatio="none" {
                title id=(format!("{id}-title")) { (title) }
                line x1="0" y1=(plot) x2=(WIDTH) y2=(plot) stroke="#8b949e" stroke-width="1" {}
                @for (i, b) in bars.iter().enumerate() {
                    @let x = i64::try_from(i).unwrap_or(0) * slot;
                    @if let Some(v) = b.value {
                        @let h = (v * (plot - 4) / max).max(if v > 0 { 2 } else { 0 });
                        rect x=(x + slot / 8) y=(plot - h) width=(slot * 3 / 4) height=(h) fill="#1d4ed8" {
                            title { (b.label) ": " (b.shown) }
                        }
                    }
                    @if (bars.len() - 1 - i) % label_every.max(1) == 0 {
                        text x=(x + slot / 2) y=(HEIGHT - 6) font-size="11" text-anchor="middle" fill="#4a5360" { (b.label) }
                    }
                }
            }
            figcaption { (title) }
            details {
                summary { "The figures" }
                table {
                    thead { tr { th scope="col" { "Day" } th.num scope="col" { "Value" } } }
                    tbody { @for b in bars { tr { td { (b.label) } td.num { (b.shown) } } } }
                }
            }
        }
    }
}
