package deploy

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Content-MD5 is Azure's integrity header, not a security hash
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// URITTL is how long the platform's read URI stays valid: OneDeploy fetches
// the package right away, so minutes are enough.
const URITTL = 30 * time.Minute

// Store is where a package waits for the platform to pull it.
type Store interface {
	// Put uploads data as blob unless a blob of that name is there already
	// (names are content digests); an existing blob with other content is
	// an error, never overwritten.
	Put(ctx context.Context, blob string, data []byte) (uploaded bool, err error)
	// ReadURI returns an https URI that reads blob, and nothing else, for ttl.
	ReadURI(ctx context.Context, blob string, ttl time.Duration) (string, error)
}

// BlobStore is a Store on an Azure blob container.
type BlobStore struct {
	service   *service.Client
	container *container.Client
	name      string
	// sign makes a read-only SAS for one blob.
	sign func(ctx context.Context, v sas.BlobSignatureValues) (sas.QueryParameters, error)
}

// NewAzureStore opens the package container with an Entra ID credential
// (DefaultAzureCredential: the pipeline's OIDC federation, a developer's
// az login). Read URIs are user-delegation SAS, signed with a key Entra ID
// issues to that identity, so no account key exists anywhere.
func NewAzureStore(endpoint, containerName string, cred azcore.TokenCredential) (*BlobStore, error) {
	u, err := checkEndpoint(endpoint, true)
	if err != nil {
		return nil, err
	}
	svc, err := service.NewClient(u, cred, nil)
	if err != nil {
		return nil, fmt.Errorf("package store %s: %w", u, err)
	}
	st := &BlobStore{service: svc, container: svc.NewContainerClient(containerName), name: containerName}
	st.sign = func(ctx context.Context, v sas.BlobSignatureValues) (sas.QueryParameters, error) {
		udc, err := svc.GetUserDelegationCredential(ctx, service.KeyInfo{
			Start:  to.Ptr(v.StartTime.UTC().Format(sas.TimeFormat)),
			Expiry: to.Ptr(v.ExpiryTime.UTC().Format(sas.TimeFormat)),
		}, nil)
		if err != nil {
			return sas.QueryParameters{}, fmt.Errorf("get a user delegation key (the deploying identity needs Storage Blob Data Contributor on the package container): %w", err)
		}
		return v.SignWithUserDelegation(udc)
	}
	return st, nil
}

// NewSharedKeyStore opens a container with an account key. Only for the
// storage emulator (Azurite's well-known development account): the stack's
// package store refuses shared keys.
func NewSharedKeyStore(endpoint, containerName, account, key string) (*BlobStore, error) {
	u, err := checkEndpoint(endpoint, false)
	if err != nil {
		return nil, err
	}
	cred, err := service.NewSharedKeyCredential(account, key)
	if err != nil {
		return nil, fmt.Errorf("emulator credential: %w", err)
	}
	svc, err := service.NewClientWithSharedKeyCredential(u, cred, nil)
	if err != nil {
		return nil, fmt.Errorf("package store %s: %w", u, err)
	}
	st := &BlobStore{service: svc, container: svc.NewContainerClient(containerName), name: containerName}
	st.sign = func(_ context.Context, v sas.BlobSignatureValues) (sas.QueryParameters, error) {
		v.Protocol = sas.ProtocolHTTPSandHTTP // the emulator speaks http
		return v.SignWithSharedKey(cred)
	}
	return st, nil
}

func checkEndpoint(endpoint string, httpsOnly bool) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("package store endpoint %q: want https://<account>.blob.core.windows.net/ with no query or credentials", endpoint)
	}
	return strings.TrimSuffix(endpoint, "/") + "/", nil
}

// EnsureContainer creates the container if missing (the emulator starts
// empty; the stack creates the real one).
func (s *BlobStore) EnsureContainer(ctx context.Context) error {
	_, err := s.container.Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("create container %s: %w", s.name, err)
	}
	return nil
}

// Put implements Store.
func (s *BlobStore) Put(ctx context.Context, name string, data []byte) (bool, error) {
	sum := md5.Sum(data) //nolint:gosec // see import
	bb := s.container.NewBlockBlobClient(name)
	_, err := bb.UploadBuffer(ctx, data, &blockblob.UploadBufferOptions{
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: to.Ptr("application/zip"), BlobContentMD5: sum[:]},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}},
	})
	if err == nil {
		return true, nil
	}
	if !bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet) {
		return false, fmt.Errorf("upload %s/%s: %w", s.name, name, err)
	}
	props, err := bb.GetProperties(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("read %s/%s: %w", s.name, name, err)
	}
	if !bytes.Equal(props.ContentMD5, sum[:]) {
		return false, fmt.Errorf("%s/%s exists with other content: refusing to overwrite a content-addressed package", s.name, name)
	}
	return false, nil
}

// ReadURI implements Store.
func (s *BlobStore) ReadURI(ctx context.Context, name string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("read URI: ttl must be positive")
	}
	now := time.Now().UTC().Add(-2 * time.Minute) // clock skew
	qp, err := s.sign(ctx, sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPS,
		StartTime:     now,
		ExpiryTime:    now.Add(ttl),
		Permissions:   (&sas.BlobPermissions{Read: true}).String(),
		ContainerName: s.name,
		BlobName:      name,
	})
	if err != nil {
		return "", fmt.Errorf("sign a read URI for %s/%s: %w", s.name, name, err)
	}
	return s.container.NewBlobClient(name).URL() + "?" + qp.Encode(), nil
}
