package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/streamsec/streamsec/internal/textfile"
)

// AcceptedAll names every format Read detects, for error messages.
const AcceptedAll = Accepted + ", an ARM template (az group export, az bicep build) or az resource list / az resource show output"

// ReadOptions say how Read names its input and judges ARM documents.
type ReadOptions struct {
	Name string // the input's name in messages
	// ARM returns the mapper of ARM types to azure-native tokens
	// (internal/armmap), called only for ARM documents so the other
	// formats do not pay for loading the table; ARM documents are refused
	// without it.
	ARM func() (ARMMapper, error)
	// Parameters are an ARM parameters file's values (--parameters); nil
	// leaves a template's parameters unknown.
	Parameters *ARMParameters
}

// Read detects the format of r and reads its resources: the Pulumi
// formats Load reads, an ARM template, or az resource list/show output.
// The text may be UTF-8 (with or without BOM) or UTF-16 with a BOM. A stack
// export is decoded one resource at a time, so the file is never held
// whole next to its resources (issue 16: check's peak memory).
func Read(r io.Reader, opts ReadOptions) (Input, error) {
	tr, err := textfile.NewReader(r, opts.Name)
	if err != nil {
		return Input{}, err
	}
	dec := json.NewDecoder(tr)
	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return Input{}, fmt.Errorf("input is empty; want %s", AcceptedAll)
	case textfile.IsEncoding(err):
		return Input{}, err
	case err != nil:
		return Input{}, fmt.Errorf("input is not a JSON object; want %s", AcceptedAll)
	}
	switch tok {
	case json.Delim('['):
		return readListing(dec, opts)
	case json.Delim('{'):
		return readObject(dec, opts)
	}
	return Input{}, fmt.Errorf("input is not a JSON object; want %s", AcceptedAll)
}

// streamError explains a decoding error met while streaming.
func streamError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("input ends early (truncated JSON?): %w", io.ErrUnexpectedEOF)
	}
	if textfile.IsEncoding(err) {
		return err
	}
	return jsonError(err)
}

// readObject reads a top-level object key by key: a stack export's
// deployment is streamed; the other formats are small enough to decode
// whole once their keys are known.
func readObject(dec *json.Decoder, opts ReadOptions) (Input, error) {
	type member struct {
		key string
		raw json.RawMessage
	}
	var members []member
	var export *Input
	has := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Input{}, streamError(err)
		}
		key, _ := tok.(string)
		has[key] = true
		if key == "deployment" && export == nil {
			in, err := streamDeployment(dec)
			if err != nil {
				return Input{}, err
			}
			export = &in
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Input{}, streamError(err)
		}
		members = append(members, member{key, raw})
	}
	if _, err := dec.Token(); err != nil {
		return Input{}, streamError(err)
	}
	// `az resource show --ids` prints one object for one id: outputs
	// appended after it make a listing.
	appended := export == nil && !has["resources"] && (has["id"] || has["value"]) && dec.More()
	if !appended {
		if err := trailing(dec); err != nil {
			return Input{}, err
		}
	}
	if export != nil && !has["steps"] {
		return *export, nil
	}
	get := func(k string) json.RawMessage {
		for _, m := range members {
			if m.key == k {
				return m.raw
			}
		}
		return nil
	}
	// Reassemble the (small) document for the whole-document readers.
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(m.raw)
	}
	buf.WriteByte('}')
	switch {
	case has["steps"] || has["deployment"] || has["changeSummary"] || has["diagnostics"]:
		return Load(buf.Bytes()) // a preview, however partial: Load judges it
	case armTemplateKeys(has, get("resources")):
		doc, err := decodeObject(buf.Bytes())
		if err != nil {
			return Input{}, err
		}
		rs, problems := armFromTemplate(doc, opts.Parameters)
		if err := joinProblems("ARM template", problems); err != nil {
			return Input{}, err
		}
		m, err := opts.mapper()
		if err != nil {
			return Input{}, err
		}
		return fromARM(KindARMTemplate, rs, m, false)
	case has["value"] && !has["resources"]:
		// An ARM list response ({"value": [...]}, az rest, older az monitor).
		var elems []any
		if err := json.Unmarshal(get("value"), &elems); err != nil {
			return Input{}, fmt.Errorf("value: %w", jsonError(err))
		}
		if appended {
			return readMore(dec, opts, elems)
		}
		return listing(elems, func(i int) string { return fmt.Sprintf("value[%d]", i) }, opts)
	case (has["id"] || (has["type"] && has["name"])) && !has["resources"]:
		var one any
		if err := json.Unmarshal(buf.Bytes(), &one); err != nil {
			return Input{}, jsonError(err)
		}
		if appended {
			return readMore(dec, opts, []any{one})
		}
		return listing([]any{one}, func(int) string { return "resource" }, opts)
	case has["resources"]:
		return Load(buf.Bytes())
	}
	return Input{}, fmt.Errorf("input is JSON but not a known format (no steps, deployment, resources or id key); want %s", AcceptedAll)
}

// armTemplateKeys reports whether a top-level object is an ARM template,
// from its keys and the first resource ("apiVersion" and no "urn").
func armTemplateKeys(has map[string]bool, resources json.RawMessage) bool {
	if has["$schema"] || has["contentVersion"] || has["languageVersion"] {
		return true
	}
	if len(resources) == 0 {
		return false
	}
	var first []map[string]json.RawMessage
	if json.Unmarshal(resources, &first) != nil || len(first) == 0 {
		return false
	}
	_, api := first[0]["apiVersion"]
	_, urn := first[0]["urn"]
	return api && !urn
}

// trailing refuses data after the document.
func trailing(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil && textfile.IsEncoding(err) {
			return err
		}
		return errors.New("malformed JSON: data after the end of the document")
	}
	return nil
}

// streamDeployment reads a stack export's deployment object, converting
// each resource as soon as it is decoded.
func streamDeployment(dec *json.Decoder) (Input, error) {
	in := Input{Kind: KindStackExport}
	if err := expectDelim(dec, '{', "deployment"); err != nil {
		return in, err
	}
	var problems []error
	rd := newExportDecoder(newSharer())
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return in, streamError(err)
		}
		if tok != "resources" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return in, streamError(err)
			}
			continue
		}
		if err := expectDelim(dec, '[', "deployment.resources"); err != nil {
			return in, err
		}
		var raw json.RawMessage // reused: UnmarshalJSON appends to it
		for i := 0; dec.More(); i++ {
			raw = raw[:0]
			if err := dec.Decode(&raw); err != nil {
				return in, streamError(err)
			}
			// The value was consumed: a bad resource is reported and the
			// rest still read, so every problem is listed at once.
			res, err := rd.resource(raw)
			if err != nil {
				problems = append(problems, fmt.Errorf("deployment.resources[%d]: %w", i, err))
				continue
			}
			in.Resources = append(in.Resources, res)
		}
		if _, err := dec.Token(); err != nil {
			return in, streamError(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return in, streamError(err)
	}
	if in.Resources == nil {
		in.Resources = []Resource{}
	}
	return in, joinProblems("pulumi stack export", problems)
}

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return streamError(err)
	}
	if tok != d {
		return fmt.Errorf("pulumi stack export: %s: want %s, got %v", what, map[json.Delim]string{'{': "an object", '[': "an array"}[d], tok)
	}
	return nil
}

// readListing reads `az resource list` output: an array, possibly followed
// by more arrays or objects (outputs appended with >>).
func readListing(dec *json.Decoder, opts ReadOptions) (Input, error) {
	var elems []any
	for dec.More() {
		var e any
		if err := dec.Decode(&e); err != nil {
			return Input{}, streamError(err)
		}
		elems = append(elems, e)
	}
	if _, err := dec.Token(); err != nil {
		return Input{}, streamError(err)
	}
	return readMore(dec, opts, elems)
}

// readMore reads the arrays and objects appended after the first value of
// a listing, then the listing.
func readMore(dec *json.Decoder, opts ReadOptions, elems []any) (Input, error) {
	for {
		var next any
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Input{}, streamError(err)
		}
		switch x := next.(type) {
		case []any:
			elems = append(elems, x...)
		case map[string]any:
			if v, ok := x["value"].([]any); ok {
				elems = append(elems, v...)
			} else {
				elems = append(elems, x)
			}
		default:
			return Input{}, fmt.Errorf("az resource list output: after the array, want more arrays or objects, got %s", jsonKind(next))
		}
	}
	return listing(elems, func(i int) string { return fmt.Sprintf("[%d]", i) }, opts)
}

func listing(elems []any, where func(int) string, opts ReadOptions) (Input, error) {
	rs, notes, problems := armFromListing(elems, where)
	if err := joinProblems("az resource list", problems); err != nil {
		return Input{}, err
	}
	m, err := opts.mapper()
	if err != nil {
		return Input{}, err
	}
	in, err := fromARM(KindAzureListing, rs, m, true)
	in.Notes = append(in.Notes, notes...)
	return in, err
}

func (o ReadOptions) mapper() (ARMMapper, error) {
	if o.ARM == nil {
		return nil, errors.New("ARM documents need the schema table, which this caller does not give")
	}
	return o.ARM()
}

// decodeObject decodes a whole JSON object.
func decodeObject(data []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var doc map[string]any
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, jsonError(err)
	}
	return doc, nil
}
