"""Integration charts: S/O/E by rep or segment, the opportunity → delivered flow, the conversion lag."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from crm_core.analytics.integration import WITHOUT_OPPORTUNITY
from ui.charts import E_MEANING, apply_layout, chart_text, chart_texts
from ui.theme import ACCENT, BAD, GOOD, MUTED, PRIMARY

NODE_COLORS = {
    "Opportunities": PRIMARY,
    WITHOUT_OPPORTUNITY: "#6B7FA8",
    "Won": GOOD,
    "Order": "#4F84C9",
    "Paid": "#2F5DA8",
    "Shipped": "#5FA77F",
    "Delivered": GOOD,
    "Invoiced, unpaid": ACCENT,
    "Lost": BAD,
    "Cancelled": BAD,
}


def integration_by_chart(table: pl.DataFrame, by: str, *, title: str | None = None) -> go.Figure:
    """Horizontal S and O bars per rep or segment, E as a marker, largest E on top."""
    names = chart_texts(table[by].to_list())  # rep and industry names are typed by people
    fig = go.Figure()
    fig.add_bar(y=names, x=table["won"].to_list(), name="S — won", orientation="h", marker_color=PRIMARY)
    fig.add_bar(
        y=names, x=table["delivered"].to_list(), name="O — delivered", orientation="h", marker_color="#A7C4E8"
    )
    fig.add_scatter(
        y=names,
        x=table["effectiveness"].round(1).to_list(),
        name=E_MEANING,
        mode="markers",
        marker={"color": ACCENT, "size": 12, "symbol": "diamond"},
    )
    fig.update_layout(barmode="group", hovermode="y unified")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=f"S won, O delivered · {E_MEANING}")
    return apply_layout(fig, title=title, height=max(300, 44 * len(names) + 120))


def flow_sankey(links: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Sankey of the flow links (source, target, count); every node shows its count."""
    nodes: list[str] = []
    for name in links["source"].to_list() + links["target"].to_list():
        if name not in nodes:
            nodes.append(name)
    index = {n: i for i, n in enumerate(nodes)}
    totals = {n: 0 for n in nodes}
    for row in links.to_dicts():
        totals[row["target"]] += row["count"]
    for root in set(links["source"].to_list()) - set(links["target"].to_list()):
        totals[root] = int(links.filter(pl.col("source") == root)["count"].sum())
    # Orders without an opportunity are counted as orders; everything else as opportunities.
    units = ["orders" if s == WITHOUT_OPPORTUNITY else "opportunities" for s in links["source"].to_list()]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [f"{chart_text(n)}: {totals[n]:,}" for n in nodes],
                "color": [NODE_COLORS.get(n, MUTED) for n in nodes],
                "pad": 22,
                "thickness": 18,
                "line": {"width": 0},
            },
            textfont={"color": "#1F2937", "size": 13},
            link={
                "source": [index[s] for s in links["source"].to_list()],
                "target": [index[t] for t in links["target"].to_list()],
                "value": links["count"].to_list(),
                "color": "rgba(148, 163, 184, 0.35)",
                "customdata": units,
                "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,} %{customdata}"
                "<extra></extra>",
            },
        )
    )
    return apply_layout(fig, title=title, height=520)


def lag_bins(lags: pl.DataFrame, bins: int = 30) -> pl.DataFrame:
    """The lags counted in `bins` equal-width bins (start, end, count): what the histogram draws, so
    the browser gets 30 bars instead of one value per won opportunity."""
    days = lags.select(pl.col("lag_days").drop_nulls().cast(pl.Float64))
    if days.is_empty():
        return pl.DataFrame(schema={"start": pl.Float64, "end": pl.Float64, "count": pl.UInt32})
    lo, hi = days.select(pl.col("lag_days").min()).item(), days.select(pl.col("lag_days").max()).item()
    width = (hi - lo) / bins if hi > lo else 1.0
    index = ((pl.col("lag_days") - lo) / width).floor().cast(pl.Int64).clip(0, bins - 1)
    return (
        days.group_by(index.alias("bin"))
        .agg(pl.len().alias("count"))
        .sort("bin")
        .select(
            (lo + pl.col("bin") * width).alias("start"),
            (lo + (pl.col("bin") + 1) * width).alias("end"),
            "count",
        )
    )


def lag_histogram(lags: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Distribution of the days from winning to the first order (binned before plotting)."""
    binned = lag_bins(lags)
    fig = go.Figure(
        go.Bar(
            x=((binned["start"] + binned["end"]) / 2).to_list(),
            y=binned["count"].to_list(),
            width=(binned["end"] - binned["start"]).to_list(),
            customdata=list(zip(binned["start"].round(1), binned["end"].round(1), strict=True)),
            marker_color=PRIMARY,
            hovertemplate="%{customdata[0]}–%{customdata[1]} days: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="days from won to first order")
    fig.update_yaxes(title_text="won opportunities")
    return apply_layout(fig, title=title, height=320)
