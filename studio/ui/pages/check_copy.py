"""Check copy: paste a draft, pick a brand and channel, see every finding on the words."""

from __future__ import annotations

import streamlit as st

from guardrails import Channel, RulePackError, Severity, Verdict
from studio.errors import StudioError
from studio.services import packs
from studio.ui import session
from studio.ui.components.highlight import copy_html, findings_html, notice_html

_VERDICT_LABEL = {
    Verdict.PASS: ":green[Pass — no warnings or errors]",
    Verdict.WARN: ":orange[Warnings — a reviewer must acknowledge them]",
    Verdict.BLOCK: ":red[Blocked — error findings must be fixed or overridden]",
}


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


session.open_page("Check copy")
st.caption("Every draft is checked against the brand's rule pack before anyone approves it.")
choices = packs.pack_choices()
left, right = st.columns(2)
pack_name = left.selectbox("Brand", list(choices))
channel = Channel(right.selectbox("Channel", [c.value for c in Channel]))
with st.form("draft"):
    fields = _fields(channel)
    submitted = st.form_submit_button("Check", type="primary")
if submitted:
    # The same pack an approval would use, recompiled if a rule file changed since the last run.
    try:
        checked = packs.check_copy(
            choices[pack_name], channel.value, {k: v for k, v in fields.items() if v}
        )
    except RulePackError as exc:
        st.html(notice_html(f"The rule pack does not load: {exc}", Severity.ERROR))
        st.stop()
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
        st.stop()
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
