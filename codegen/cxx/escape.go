package cxx

import (
	"strconv"
	"strings"
)

// cComment makes user text (a variable name, a source line, an op's
// parameters) safe inside a /* */ or // comment of the generated source:
// one line, no comment terminator, printable ASCII only.
//
//	cComment("a*/b\nc") == "a* /b c"
func cComment(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r > 0x7e:
			b.WriteString("?")
		default:
			b.WriteRune(r)
		}
	}
	out := strings.ReplaceAll(b.String(), "*/", "* /")
	out = strings.ReplaceAll(out, "/*", "/ *")
	// a trailing backslash would continue a // comment onto the next line
	return strings.ReplaceAll(out, "\\", "\\ ")
}

// cFormat makes user text safe inside the string literal of a printf-style
// format (tg_set_error's): quotes, backslashes and control characters
// escaped, '%' doubled, non-ASCII written as octal escapes, and '?'
// escaped so that no trigraph forms.
//
//	cFormat(`x"%`) == `x\"%%`
func cFormat(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '%':
			b.WriteString("%%")
		case c < 0x20 || c > 0x7e:
			b.WriteString("\\" + strconv.FormatInt(int64(c)+0o1000, 8)[1:])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cIdent makes text usable inside a C identifier: letters, digits and
// underscores kept, anything else an underscore.
func cIdent(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
