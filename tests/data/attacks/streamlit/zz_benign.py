# A well-behaved Streamlit app started after the attack in the same job.
import streamlit as st

st.title("Squares")
st.write("sum of squares:", sum(n * n for n in range(10)))
