"""Streamlit entry point: `studio up` runs this file."""

import streamlit as st

from studio.services.drafts import configured_drafter

st.set_page_config(page_title="Content Studio", layout="wide")
st.sidebar.caption(f"Drafting with: {configured_drafter()}")
page = st.navigation(
    [st.Page("studio/ui/pages/check_copy.py", title="Check copy", icon=":material/fact_check:")]
)
page.run()
