"""Sales dashboard: reads CSV files from the stack's private blob container
with the app's managed identity and charts them.

Run locally against your own storage account with `az login` and the two
App Settings exported (see storage.py); on App Service `streamsec deploy`
ships it and the stack sets everything.
"""

import streamlit as st

from storage import StorageNotConfigured, container_client, list_csv, read_csv, upload_csv

st.set_page_config(page_title="Sales dashboard", layout="wide")
st.title("Sales dashboard")


@st.cache_resource
def container():
    return container_client()


@st.cache_data(ttl=300, show_spinner="Reading from storage...")
def load(blob: str):
    return read_csv(container(), blob)


try:
    blobs = list_csv(container())
except StorageNotConfigured as err:
    st.info(str(err))
    st.stop()
except Exception as err:  # the identity or the network: say so, without details
    st.error(f"Could not list the data container ({type(err).__name__}). Check the app's managed identity and the storage role.")
    st.stop()

with st.sidebar:
    # The data account is reachable only from the app's network, so data
    # comes in through the app (with its identity), not from a laptop.
    uploaded = st.file_uploader("Add a CSV file", type=["csv"])
    if uploaded is not None and st.button("Store it"):
        try:
            upload_csv(container(), uploaded.name, uploaded.getvalue())
        except ValueError as err:
            st.error(str(err))
        else:
            load.clear()
            st.rerun()

if not blobs:
    st.info("The data container holds no CSV file yet. Add one in the sidebar, for example examples/sample-data/sales.csv.")
    st.stop()

blob = st.selectbox("Data file", blobs)
df = load(blob)

numeric = [c for c in df.columns if df[c].dtype.kind in "if"]
labels = [c for c in df.columns if c not in numeric]
cols = st.columns(max(1, min(4, len(numeric))))
for col, name in zip(cols, numeric):
    col.metric(name, f"{df[name].sum():,.0f}")
if numeric and labels:
    st.bar_chart(df, x=labels[0], y=numeric[0])
st.dataframe(df)
