package deploy

// App Settings the stack gives the web app so the code finds its storage and
// App Service builds it. The app passes the first two to azure-storage-blob:
// BlobServiceClient(account_url=os.environ[SettingBlobEndpoint],
// credential=DefaultAzureCredential()).get_container_client(os.environ[SettingContainer]).
// No key, SAS or connection string is ever among them.
const (
	SettingBlobEndpoint = "AZURE_STORAGE_BLOB_ENDPOINT"
	SettingContainer    = "AZURE_STORAGE_CONTAINER_NAME"
	// SettingBuild makes OneDeploy run App Service's build (Oryx): it
	// creates the virtual environment and installs requirements.txt, which
	// Azure requires for Python zip deployments (deploy-zip.md, "Enable
	// build automation for zip deploy").
	SettingBuild = "SCM_DO_BUILD_DURING_DEPLOYMENT"
	// SettingRunFromPackage must not be set: run from package is not
	// supported for Python apps (deploy-run-package.md).
	SettingRunFromPackage = "WEBSITE_RUN_FROM_PACKAGE"
)
