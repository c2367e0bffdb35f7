"""Streamlit pages. Each page is a file so `AppTest` can drive it."""
