//! Fuel economy over time, drawn as inline SVG by the garage itself.
//!
//! A chart library would outweigh the rest of the bundle; a line per vehicle on two axes is
//! a page of arithmetic. [`plot`] does that arithmetic (pure, tested natively) and
//! [`EconomyChart`] only turns its output into elements. Colours come from CSS classes
//! (`hh-series-0` … `hh-series-5`), so themes restyle the chart too.

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::html::escape_html;
use shared::summary::VehicleSummary;

use super::format::fixed;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// Series colours in the style sheet; vehicles beyond this reuse them.
const COLOURS: usize = 6;

/// Where things go, in SVG user units.
#[derive(Debug, PartialEq)]
pub struct Plot {
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub lines: Vec<Line>,
}

#[derive(Debug, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

#[derive(Debug, PartialEq)]
pub struct Line {
    pub name: String,
    pub points: Vec<Point>,
}

#[derive(Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// The point's tooltip.
    pub label: String,
}

/// Lays out every vehicle's economy points; `None` when there is nothing to draw.
/// The y axis starts at zero so that differences between vehicles are not exaggerated.
pub fn plot(vehicles: &[VehicleSummary]) -> Option<Plot> {
    let valid = |v: f64| v.is_finite() && v > 0.0;
    let all = || {
        vehicles
            .iter()
            .flat_map(|v| &v.economy)
            .filter(|p| valid(p.l_per_100km))
    };
    let first = all().map(|p| p.date).min()?;
    let last = all().map(|p| p.date).max()?;
    let top = all().map(|p| p.l_per_100km).fold(0.0, f64::max);

    let step = nice_step(top / 4.0);
    let y_max = (top / step).ceil() * step;
    let span = (last - first).num_days();
    let x = |date: NaiveDate| {
        let inner = WIDTH - LEFT - RIGHT;
        if span == 0 {
            LEFT + inner / 2.0
        } else {
            LEFT + inner * (date - first).num_days() as f64 / span as f64
        }
    };
    let y = |value: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - value / y_max);

    let decimals = u32::from(step < 1.0);
    let y_ticks = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|v| *v <= y_max + step / 2.0)
        .map(|v| Tick {
            at: y(v),
            label: fixed(v, decimals),
        })
        .collect();
    let intervals = span.clamp(0, 3);
    let x_ticks = (0..=intervals)
        .map(|i| {
            let offset = if intervals == 0 {
                0
            } else {
                span * i / intervals
            };
            let date = first + chrono::Days::new(offset.unsigned_abs());
            Tick {
                at: x(date),
                label: date.to_string(),
            }
        })
        .collect();
    let lines = vehicles
        .iter()
        .map(|v| Line {
            name: v.name.clone(),
            points: v
                .economy
                .iter()
                .filter(|p| valid(p.l_per_100km))
                .map(|p| Point {
                    x: x(p.date),
                    y: y(p.l_per_100km),
                    label: format!(
                        "{}, {}: {} L/100 km",
                        v.name,
                        p.date,
                        fixed(p.l_per_100km, 1)
                    ),
                })
                .collect(),
        })
        .collect();
    Some(Plot {
        x_ticks,
        y_ticks,
        lines,
    })
}

/// 1, 2 or 5 times a power of ten: tick steps people read easily.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    // The power of ten at or below `raw`, by steps rather than `powf`/`log10`, whose libm
    // implementations would add about a kilobyte to the bundle.
    let mut magnitude = 1.0;
    while magnitude * 10.0 <= raw {
        magnitude *= 10.0;
    }
    while magnitude > raw {
        magnitude /= 10.0;
    }
    let nice = match raw / magnitude {
        f if f <= 1.0 => 1.0,
        f if f <= 2.0 => 2.0,
        f if f <= 5.0 => 5.0,
        _ => 10.0,
    };
    nice * magnitude
}

/// SVG coordinates with one decimal: plenty at this size, and a smaller DOM.
fn n(value: f64) -> String {
    fixed(value, 1)
}

/// The chart's SVG elements as markup. The chart is drawn whole and never updated in place,
/// so markup is all it needs; a typed view with an element per tick, line, point and legend
/// entry costs many times more wasm.
pub fn marks(plot: &Plot) -> String {
    let mut svg = String::new();
    let (left, right, bottom) = (n(LEFT), n(WIDTH - RIGHT), n(HEIGHT - BOTTOM));
    for tick in &plot.y_ticks {
        let (at, label_x, label_y) = (n(tick.at), n(LEFT - 6.0), n(tick.at + 4.0));
        svg += &format!(
            r#"<line class="hh-grid" x1="{left}" x2="{right}" y1="{at}" y2="{at}"/><text class="hh-tick" x="{label_x}" y="{label_y}" text-anchor="end">{}</text>"#,
            tick.label
        );
    }
    // The outer dates align to the plot's edges so that they are not cut off.
    let last = plot.x_ticks.len().saturating_sub(1);
    for (i, tick) in plot.x_ticks.iter().enumerate() {
        let anchor = match i {
            _ if last == 0 => "middle",
            0 => "start",
            i if i == last => "end",
            _ => "middle",
        };
        svg += &format!(
            r#"<text class="hh-tick" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            n(tick.at),
            n(HEIGHT - 8.0),
            tick.label
        );
    }
    svg += &format!(
        r#"<line class="hh-axis" x1="{left}" x2="{left}" y1="{}" y2="{bottom}"/><line class="hh-axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>"#,
        n(TOP)
    );
    for (i, line) in plot.lines.iter().enumerate() {
        let points: Vec<String> = line
            .points
            .iter()
            .map(|p| format!("{},{}", n(p.x), n(p.y)))
            .collect();
        svg += &format!(
            r#"<g class="hh-series hh-series-{}"><polyline points="{}" fill="none"/>"#,
            i % COLOURS,
            points.join(" ")
        );
        for p in &line.points {
            svg += &format!(
                r#"<circle cx="{}" cy="{}" r="3.5"><title>{}</title></circle>"#,
                n(p.x),
                n(p.y),
                escape_html(&p.label)
            );
        }
        svg += "</g>";
    }
    svg
}

/// The whole figure as markup: the SVG, its caption and the legend. One `inner_html`
/// instead of typed views, for the reason given at [`marks`]; every name in it is escaped.
pub fn figure(plot: &Plot) -> String {
    let legend: String = plot
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r#"<li><span class="hh-swatch hh-series-{}"></span>{}</li>"#,
                i % COLOURS,
                escape_html(&line.name)
            )
        })
        .collect();
    format!(
        r#"<svg viewBox="0 0 {} {}" role="img" aria-label="Fuel economy over time, in litres per 100 km">{}</svg><figcaption><span>L/100 km between fill-ups (lower is better)</span><ul class="hh-legend">{legend}</ul></figcaption>"#,
        n(WIDTH),
        n(HEIGHT),
        marks(plot)
    )
}

#[component]
pub fn EconomyChart(vehicles: Vec<VehicleSummary>) -> impl IntoView {
    match plot(&vehicles) {
        Some(plot) => {
            view! { <figure class="hh-chart" inner_html=figure(&plot)></figure> }.into_any()
        }
        None => view! {
            <p class="hh-empty">"The chart appears once a vehicle has two fill-ups."</p>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use shared::summary::EconomyPoint;
    use uuid::Uuid;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default()
    }

    fn vehicle(name: &str, points: &[(u32, f64)]) -> VehicleSummary {
        VehicleSummary {
            vehicle_id: Uuid::nil(),
            name: name.into(),
            fill_ups: points.len() as u32 + 1,
            distance_km: 0.0,
            fuel_litres: 0.0,
            cost: 0.0,
            l_per_100km: None,
            mpg_us: None,
            cost_per_km: None,
            economy: points
                .iter()
                .map(|&(d, l)| EconomyPoint {
                    date: day(d),
                    l_per_100km: l,
                })
                .collect(),
        }
    }

    #[test]
    fn nothing_to_draw_without_economy_points() {
        assert_eq!(plot(&[vehicle("Van", &[])]), None);
        assert_eq!(plot(&[]), None);
    }

    #[test]
    fn points_span_the_plot_area_and_lower_economy_sits_lower() {
        let plot = plot(&[
            vehicle("Car", &[(1, 6.0), (31, 8.0)]),
            vehicle("Van", &[(11, 9.5)]),
        ]);
        let Some(plot) = plot else {
            panic!("expected a plot")
        };
        let car = &plot.lines[0].points;
        assert_eq!(car[0].x, LEFT);
        assert_eq!(car[1].x, WIDTH - RIGHT);
        assert!(car[0].y > car[1].y, "6 L/100 km is drawn below 8");
        assert!(car[0].label.contains("6.0 L/100 km"));
        // 9.5 / 4 rounds up to a step of 5, so the axis runs 0, 5, 10.
        let labels: Vec<_> = plot.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "5", "10"]);
        assert_eq!(plot.y_ticks[0].at, HEIGHT - BOTTOM);
        assert_eq!(
            plot.x_ticks.first().map(|t| t.label.as_str()),
            Some("2026-01-01")
        );
        assert_eq!(
            plot.x_ticks.last().map(|t| t.label.as_str()),
            Some("2026-01-31")
        );
    }

    #[test]
    fn a_single_day_is_centred_with_one_date_tick() {
        let Some(plot) = plot(&[vehicle("Car", &[(5, 7.0)])]) else {
            panic!("expected a plot")
        };
        assert_eq!(
            plot.lines[0].points[0].x,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0
        );
        assert_eq!(plot.x_ticks.len(), 1);
    }

    #[test]
    fn unusable_values_are_left_out() {
        let Some(plot) = plot(&[vehicle("Car", &[(1, f64::NAN), (2, 0.0), (3, 7.0)])]) else {
            panic!("expected a plot")
        };
        assert_eq!(plot.lines[0].points.len(), 1);
    }

    #[test]
    fn the_markup_has_a_line_per_vehicle_and_escapes_names() {
        let Some(plot) = plot(&[vehicle("<Van & co>", &[(1, 6.0), (2, 7.0)])]) else {
            panic!("expected a plot")
        };
        let svg = figure(&plot);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<title>&lt;Van &amp; co&gt;, 2026-01-01: 6.0 L/100 km</title>"));
        assert!(svg.contains(r#"hh-series-0"></span>&lt;Van &amp; co&gt;</li>"#));
        assert!(!svg.contains("<Van"));
    }

    #[test]
    fn tick_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(2.4), 5.0);
        assert_eq!(nice_step(1.6), 2.0);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(12.0), 20.0);
        assert_eq!(nice_step(0.0), 1.0);
    }
}
