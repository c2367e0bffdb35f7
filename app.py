"""Streamlit entry point: `studio up` runs this file. Signed out, the only page is sign-in."""

import streamlit as st

from studio.services.drafts import configured_drafter
from studio.services.policy import Action
from studio.ui import session

st.set_page_config(page_title="Content Studio", layout="wide")
db = session.database()
user = session.identity(db)
if user is None:
    page = st.navigation([st.Page(session.sign_in_page, title="Sign in")])
else:
    st.sidebar.text(f"Signed in as {user.name} ({user.role.value})")
    if st.sidebar.button("Sign out"):
        session.sign_out(db)
    st.sidebar.caption(f"Drafting with: {configured_drafter()}")
    # Pages by role (the service checks the role again on every action). No Material icons:
    # Streamlit fetches those from fonts.gstatic.com, and nothing here fetches from outside.
    offered = [
        ("new_brief", "New brief", Action.CREATE),
        ("drafts", "Drafts", Action.CREATE),
        ("review_queue", "Review queue", Action.APPROVE),
        ("brand_rules", "Brand rules", None),
        ("library", "Library", None),
        ("dashboard", "Dashboard", None),
        ("audit", "Audit log", Action.READ_AUDIT),
        ("settings", "Settings", Action.MANAGE_USERS),
    ]
    pages = [st.Page(f"studio/ui/pages/{file}.py", title=title)
             for file, title, action in offered
             if action is None or session.may(user, action)]  # fmt: skip
    page = st.navigation(pages)
page.run()
