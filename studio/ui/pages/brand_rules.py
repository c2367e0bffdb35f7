"""Brand rules: a brand's resolved pack (each rule and the file line that defines it, each
approved claim with its evidence, owner and expiry) and a playground that checks any text
against it. Every text from a rule file is shown inert: tables, or escaped HTML."""

from __future__ import annotations

import streamlit as st

from guardrails import Channel, RulePackError, Severity, Verdict
from studio.errors import StudioError
from studio.services import packs, rulebook
from studio.services.rulebook import ClaimState, ClaimView, PackOverview
from studio.ui import session
from studio.ui.components.highlight import ICONS, copy_html, escaped, findings_html, notice_html

_VERDICT_LABEL = {
    Verdict.PASS: ":green[Pass — no warnings or errors]",
    Verdict.WARN: ":orange[Warnings — a reviewer must acknowledge them]",
    Verdict.BLOCK: ":red[Blocked — error findings must be fixed or overridden]",
}
# A claim's state in words and an icon, never by colour alone; the two that need its owner
# also get a notice above the table.
_STATE_ICON = {
    ClaimState.EXPIRED: ICONS[Severity.ERROR],
    ClaimState.EXPIRING_SOON: ICONS[Severity.WARNING],
    ClaimState.CURRENT: "✔",
    ClaimState.NO_EXPIRY: "✔",
}
_ATTENTION = {ClaimState.EXPIRED: Severity.ERROR, ClaimState.EXPIRING_SOON: Severity.WARNING}


def _summary_html(overview: PackOverview) -> str:
    extends = escaped(", ".join(overview.extends) or "nothing")
    counts = f"{overview.rule_count} rules · {len(overview.claims)} approved claims"
    for state in _ATTENTION:
        lapsing = sum(claim.state is state for claim in overview.claims)
        counts += f" ({_STATE_ICON[state]} {lapsing} {state.value})" if lapsing else ""
    return (
        f"<div><b>{escaped(overview.name)}</b> · version <code>{escaped(overview.version)}</code>"
        f" · {counts} · extends {extends}</div>"
    )


def _rules(overview: PackOverview) -> None:
    st.dataframe(
        [{"rule": r.id, "severity": f"{ICONS[r.severity]} {r.severity.value}",
          "category": r.category, "kind": r.kind, "channels": ", ".join(r.channels or ["all"]),
          "message": r.message, "source": r.source or "", "defined at": r.origin}
         for r in overview.rules],
        hide_index=True, width="stretch",
    )  # fmt: skip


def _state_text(claim: ClaimView) -> str:
    days = claim.days_left
    when = "" if days is None else f": {-days} days ago" if days < 0 else f": {days} days left"
    return f"{_STATE_ICON[claim.state]} {claim.state.value}{when}"


def _notice(claim: ClaimView) -> str:
    """What the owner of a claim that has lapsed, or soon will, must do about it."""
    days = claim.days_left or 0
    expires = claim.expires.isoformat() if claim.expires else ""
    if claim.state is ClaimState.EXPIRED:
        lapse = f"expired on {expires}, {-days} days ago: the checks flag copy that makes it"
    else:
        lapse = f"expires on {expires}, in {days} days: then the checks flag copy that makes it"
    return (
        f"{claim.state.value.capitalize()}: claim {claim.id} “{claim.text}” {lapse}. "
        f"{claim.owner} renews the evidence or removes the claim."
    )


def _claims(overview: PackOverview) -> None:
    if not overview.claims:
        advice = (
            f"{overview.name} has no approved claims. Claims are added to the claims: list in "
            f"{overview.path}/pack.yaml, each with its text, evidence, owner and, where it "
            "lapses, an expires: date."
        )
        st.html(notice_html(advice, Severity.SUGGESTION))
        return
    for claim in overview.claims:
        if claim.state in _ATTENTION:
            st.html(notice_html(_notice(claim), _ATTENTION[claim.state]))
    st.dataframe(
        [{"claim": c.id, "state": _state_text(c), "text": c.text, "evidence": c.evidence,
          "owner": c.owner, "expires": c.expires.isoformat() if c.expires else "never",
          "channels": ", ".join(c.channels or ["all"]), "qualifier": c.qualifier or ""}
         for c in overview.claims],
        hide_index=True, width="stretch",
    )  # fmt: skip


def _fields(channel: Channel) -> dict[str, str | list[str]]:
    if channel == Channel.EMAIL:
        return {
            "subject": st.text_input("Subject"),
            "preheader": st.text_input("Preheader"),
            "body": st.text_area("Body", height=220),
        }
    if channel == Channel.SMS:
        return {"body": st.text_area("Message", height=140)}
    platform = st.radio("Platform", ["Google responsive search ad", "Meta ad"], horizontal=True)
    if platform.startswith("Google"):
        lines = st.text_area("Headlines (one a line)", height=140)
        descriptions = st.text_area("Descriptions (one a line)", height=100)
        return {
            "headlines": [h for h in lines.splitlines() if h.strip()],
            "descriptions": [d for d in descriptions.splitlines() if d.strip()],
        }
    return {
        "primary_text": st.text_area("Primary text", height=120),
        "headline": st.text_input("Headline"),
        "description": st.text_input("Description"),
    }


def _check_copy(pack_name: str) -> None:
    """Paste a draft, pick a channel, see every finding on the words."""
    st.caption("Every draft is checked against the brand's rule pack before anyone approves it.")
    channel = Channel(st.selectbox("Channel", [c.value for c in Channel]))
    with st.form("draft"):
        fields = _fields(channel)
        submitted = st.form_submit_button("Check", type="primary")
    if not submitted:
        return
    # The same pack an approval would use, recompiled if a rule file changed since the last run.
    try:
        checked = packs.check_copy(pack_name, channel.value, {k: v for k, v in fields.items() if v})
    except RulePackError as exc:
        st.html(notice_html(f"The rule pack does not load: {exc}", Severity.ERROR))
        return
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
        return
    report = checked.report
    st.caption(f"Rules version `{checked.rules_version}` · {checked.rule_count} rules")
    st.subheader(_VERDICT_LABEL[report.verdict])
    st.html(copy_html(channel.value, checked.copy.fields, report.findings))
    if report.findings:
        st.subheader(f"{len(report.findings)} findings")
        st.html(findings_html(report.findings))
    for use in report.approved_claims:
        st.html(notice_html(f"Approved claim {use.claim} in {use.field}: “{use.text}” — "
                            f"evidence: {use.evidence}"))  # fmt: skip


session.open_page("Brand rules")
choices = packs.pack_choices()
brands_first = sorted(choices, key=lambda name: choices[name] == "_baseline")  # a brand, not
chosen = choices[st.selectbox("Brand", brands_first)]  # the baselines, is what most come for
try:
    overview = rulebook.pack_overview(chosen)
except RulePackError as exc:
    st.html(notice_html(f"The rule pack does not load: {exc}", Severity.ERROR))
    st.stop()
st.html(_summary_html(overview))
rules_tab, claims_tab, check_tab = st.tabs(["Rules", "Approved claims", "Check copy"])
with rules_tab:
    _rules(overview)
with claims_tab:
    _claims(overview)
with check_tab:
    _check_copy(chosen)
