"""The dashboard's data access: CSV files in the stack's private blob container.

The stack tells the app where its storage is through two App Settings
(streamsec sets them; never a key, SAS or connection string):

    AZURE_STORAGE_BLOB_ENDPOINT   https://<account>.blob.core.windows.net/
    AZURE_STORAGE_CONTAINER_NAME  app-data

On App Service the credential is the app's managed identity, reached through
DefaultAzureCredential (the stack grants it Storage Blob Data Contributor on
the account). The credential is a parameter so tests can pass the storage
emulator's development account instead: DefaultAzureCredential cannot talk to
Azurite, which accepts only its well-known shared key (or OAuth over HTTPS).
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping

import pandas as pd
from azure.storage.blob import BlobServiceClient, ContainerClient

ENDPOINT_SETTING = "AZURE_STORAGE_BLOB_ENDPOINT"
CONTAINER_SETTING = "AZURE_STORAGE_CONTAINER_NAME"


class StorageNotConfigured(RuntimeError):
    """The App Settings naming the storage are missing."""


def container_client(credential=None, environ: Mapping[str, str] | None = None) -> ContainerClient:
    """The container the stack's App Settings name, authorised by credential
    (default: DefaultAzureCredential, i.e. the app's managed identity)."""
    env = os.environ if environ is None else environ
    endpoint = env.get(ENDPOINT_SETTING, "").strip()
    container = env.get(CONTAINER_SETTING, "").strip()
    missing = [n for n, v in ((ENDPOINT_SETTING, endpoint), (CONTAINER_SETTING, container)) if not v]
    if missing:
        raise StorageNotConfigured(
            "App Settings " + ", ".join(missing) + " are not set: deploy the app with `streamsec deploy`, "
            "which runs it on a stack that sets them"
        )
    if credential is None:
        # Imported here so the emulator tests need no Entra ID libraries at import time.
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    return BlobServiceClient(account_url=endpoint, credential=credential).get_container_client(container)


def read_csv(container: ContainerClient, blob: str) -> pd.DataFrame:
    """Reads one CSV blob into a data frame."""
    data = container.download_blob(blob).readall()
    return pd.read_csv(io.BytesIO(data))


def upload_csv(container: ContainerClient, name: str, data: bytes) -> None:
    """Stores a CSV file in the container (the data account is private: a
    laptop cannot reach it, the app can, with its identity)."""
    if not name.lower().endswith(".csv") or "/" in name or name.startswith("."):
        raise ValueError(f"{name!r}: want a plain file name ending in .csv")
    pd.read_csv(io.BytesIO(data))  # refuse what is not CSV before storing it
    container.upload_blob(name, data, overwrite=True)


def list_csv(container: ContainerClient) -> list[str]:
    """The CSV blobs in the container, sorted by name."""
    return sorted(b.name for b in container.list_blobs() if b.name.lower().endswith(".csv"))
