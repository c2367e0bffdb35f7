"""Streamlit entry point: `studio up` runs this file. Signed out, the only page is sign-in."""

import streamlit as st

from studio.services.drafts import configured_drafter
from studio.services.policy import Action
from studio.ui import session

st.set_page_config(page_title="Content Studio", layout="wide")
db = session.database()
user = session.identity(db)
if user is None:
    page = st.navigation([st.Page(session.sign_in_page, title="Sign in", icon=":material/login:")])
else:
    st.sidebar.text(f"Signed in as {user.name} ({user.role.value})")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        session.sign_out(db)
        st.rerun()
    st.sidebar.caption(f"Drafting with: {configured_drafter()}")
    pages = [st.Page("studio/ui/pages/check_copy.py", title="Check copy",
                     icon=":material/fact_check:"),
             st.Page("studio/ui/pages/library.py", title="Library",
                     icon=":material/inventory_2:")]  # fmt: skip
    if session.may(user, Action.CREATE):
        pages[:0] = [st.Page("studio/ui/pages/new_brief.py", title="New brief",
                             icon=":material/edit_note:"),
                     st.Page("studio/ui/pages/drafts.py", title="Drafts",
                             icon=":material/draft:")]  # fmt: skip
    if session.may(user, Action.APPROVE):  # the service checks the role again on each decision
        pages.insert(0, st.Page("studio/ui/pages/review_queue.py", title="Review queue",
                                icon=":material/rule:"))  # fmt: skip
    if session.may(user, Action.READ_AUDIT):
        pages.append(st.Page("studio/ui/pages/audit.py", title="Audit log",
                             icon=":material/receipt_long:"))  # fmt: skip
    if session.may(user, Action.MANAGE_USERS):
        pages.append(st.Page("studio/ui/pages/settings.py", title="Settings",
                             icon=":material/settings:"))  # fmt: skip
    page = st.navigation(pages)
page.run()
