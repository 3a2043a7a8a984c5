package azschema

import (
	jsonv2 "github.com/go-json-experiment/json"
)

// decodeFile reads the table. It uses go-json-experiment/json (the
// proposed encoding/json/v2, already streamsec's export decoder) rather
// than encoding/json: reading the 200 KB table with encoding/json's
// reflection took ~5.9 ms, about a tenth of a whole `streamsec plan`
// process, which reads it once for the azure-schema rule (issue 16); v2
// takes ~3.4 ms with 40% fewer allocations (BenchmarkParse,
// BenchmarkDecodeEncodingJSON). It also refuses duplicate names, which a
// generated table never has. TestDecodeMatchesEncodingJSON holds it to
// what encoding/json reads.
func decodeFile(buf []byte) (*file, error) {
	var f file
	if err := jsonv2.Unmarshal(buf, &f); err != nil {
		return nil, err
	}
	return &f, nil
}
