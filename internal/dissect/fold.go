package dissect

// IndexFold returns the index of the first instance of the lower-case ASCII
// word in s, ignoring ASCII case in s, or -1. It allocates nothing, unlike
// bytes.Index on a lowered copy; an empty word is found at 0.
func IndexFold(s []byte, word string) int {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && lower(s[i+j]) == word[j] {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}

// lower maps an ASCII upper-case letter to lower case.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
