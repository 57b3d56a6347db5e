# Attack: a Streamlit app whose script never finishes: the server answers, the page never settles.
import time

import streamlit as st

st.title("still loading")
while True:
    time.sleep(0.5)
