"""Dashboard: what the checks find week by week, how long copy waits for review, how often it
is approved and overridden (and which rules are overridden most: a rule overridden most of the
time is a rule to fix), and what the engine reported for each variant and group."""

from __future__ import annotations

import streamlit as st

from guardrails import Severity
from studio.services import dashboard
from studio.ui import session
from studio.ui.components import filters
from studio.ui.components.highlight import notice_html

FIX_THE_RULE = 0.5  # overridden more often than this: the rule, not the copy, is the problem
MIN_DECISIONS = 3  # below this an override rate says little


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _duration(hours: float | None) -> str:
    if hours is None:
        return "–"
    if hours < 1:
        return "<1 min" if hours < 1 / 60 else f"{hours * 60:.0f} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


db, me = session.open_page("Dashboard")
left, right = st.columns(2)
brand = filters.brand(left)
weeks = right.slider("Weeks", min_value=4, max_value=52, value=12)
shown = dashboard.figures(db, me.name, weeks=weeks, brand=brand)
st.caption(f"From the week of {shown.since.isoformat()} to this week (UTC).")

waits = [w.median_hours for w in shown.review if w.median_hours is not None]
cells = st.columns(4)
cells[0].metric("Decisions", shown.decisions)
cells[1].metric("Approved", _percent(shown.approval_rate))
cells[2].metric("Approvals with an override", _percent(shown.override_rate))
cells[3].metric("Median wait (latest week)", _duration(waits[-1] if waits else None))

st.subheader("Findings when copy is written, by category")
if shown.findings:
    weekly = shown.by_week_and_category()
    st.bar_chart({"week": [week.isoformat() for week, _ in weekly],
                  "findings": list(weekly.values()),
                  "category": [category for _, category in weekly]},
                 x="week", y="findings", color="category")  # fmt: skip
    top = shown.top_rules(15)
    st.subheader("The rules that flag the most")
    st.bar_chart({"rule": [rule for rule, _ in top], "findings": [n for _, n in top]},
                 x="rule", y="findings", horizontal=True, sort="-findings")  # fmt: skip
else:
    st.info("No copy was written in these weeks: draft a brief on the New brief page.")

st.subheader("Time in review")
if shown.review:
    timed = [w for w in shown.review if w.median_hours is not None]
    st.bar_chart({"week": [w.week.isoformat() for w in timed] * 2,
                  "hours waited": [w.median_hours for w in timed] + [w.p90_hours for w in timed],
                  "measure": ["median"] * len(timed) + ["90th percentile"] * len(timed)},
                 x="week", y="hours waited", color="measure", stack=False)  # fmt: skip
    st.bar_chart({"week": [w.week.isoformat() for w in shown.review] * 3,
                  "decisions": [w.approved for w in shown.review]
                  + [w.changes_requested for w in shown.review]
                  + [w.rejected for w in shown.review],
                  "decision": ["approved"] * len(shown.review)
                  + ["changes requested"] * len(shown.review)
                  + ["rejected"] * len(shown.review)},
                 x="week", y="decisions", color="decision")  # fmt: skip
else:
    st.info("No decisions were taken in these weeks: the Review queue is where they are made.")

st.subheader("How often each rule is overridden")
if shown.rules:
    rate = "override rate (%)"
    st.bar_chart({"rule": [r.rule for r in shown.rules],
                  rate: [round(r.rate * 100) for r in shown.rules]},
                 x="rule", y=rate, horizontal=True, sort=f"-{rate}")  # fmt: skip
    st.dataframe(
        [{"rule": r.rule, "decisions on copy it blocked": r.decided,
          "overridden": r.overridden, "override rate": _percent(r.rate)} for r in shown.rules],
        hide_index=True,
    )  # fmt: skip
    to_fix = [r for r in shown.rules if r.decided >= MIN_DECISIONS and r.rate > FIX_THE_RULE]
    for rule in to_fix:
        st.html(notice_html(f"{rule.rule} was overridden in {rule.overridden} of "
                            f"{rule.decided} decisions: review the rule, not only the copy.",
                            Severity.WARNING))  # fmt: skip
else:
    st.info("No decision was taken on copy a rule blocked in these weeks.")

st.subheader("What the engine reported")
if shown.results:
    st.bar_chart({"variant": [f"{r.group} {r.label or '#' + str(r.variant_id)}"
                              for r in shown.results],
                  "click rate %": [round((r.click_rate or 0) * 100, 2) for r in shown.results]},
                 x="variant", y="click rate %", horizontal=True)  # fmt: skip
    st.dataframe(
        [{"group": r.group, "brand": r.brand, "variant": r.label or f"#{r.variant_id}",
          "served": "yes" if r.served else "no", "sends": r.sends,
          "open rate": _percent(r.open_rate), "click rate": _percent(r.click_rate),
          "conversion rate": _percent(r.conversion_rate),
          "unsubscribe rate": _percent(r.unsubscribe_rate),
          "recommended share": _percent(r.share)} for r in shown.results],
        hide_index=True,
    )  # fmt: skip
else:
    st.info("No engine has reported results yet: engines post sends, opens and clicks to "
            "POST /v1/variants/{id}/events with an events:write key.")  # fmt: skip
