package advisory

import "errors"

// ParseCSAF reads a CSAF 2.0 document, validated against the CSAF 2.0
// JSON schema. An invalid document is an *InvalidError naming each
// problem's JSON path.
func ParseCSAF(data []byte) (*Advisory, error) {
	return nil, errors.New("csaf: not written yet") // TODO(#5): the CSAF reader
}
