package http

import (
	"html"
	"strings"

	"github.com/wardhq/ward/internal/dissect"
)

// maxTitleBytes is the longest title kept, bytes after unescaping.
const maxTitleBytes = 128

// title returns the text of the first complete <title> element in an HTML
// body, entities decoded and white space collapsed; "" when there is none.
func title(body []byte) string {
	open := dissect.IndexFold(body, "<title")
	if open < 0 {
		return ""
	}
	rest := body[open+len("<title"):]
	if len(rest) == 0 || rest[0] != '>' && rest[0] != ' ' && rest[0] != '\t' &&
		rest[0] != '\r' && rest[0] != '\n' {
		return "" // another element, such as <titlebar>
	}
	gt := dissect.IndexFold(rest, ">")
	if gt < 0 {
		return ""
	}
	rest = rest[gt+1:]
	end := dissect.IndexFold(rest, "</title")
	if end < 0 {
		return ""
	}
	raw := rest[:end]
	if len(raw) > 4*maxTitleBytes {
		raw = raw[:4*maxTitleBytes]
	}
	t := strings.Join(strings.Fields(html.UnescapeString(text(raw))), " ")
	if len(t) > maxTitleBytes {
		t = strings.ToValidUTF8(t[:maxTitleBytes], "")
	}
	return t
}
