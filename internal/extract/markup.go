package extract

import (
	"html"
	"strings"
)

// inlineTags are the HTML elements of inline formatting that posters wrap
// around some of a number's digits so that a filter's pattern does not
// match ("+855 <b>16</b> 58<span>3</span> 902"). Their tags are dropped;
// the tags of other known elements (a line break, a paragraph) become a
// space.
var inlineTags = map[string]bool{
	"a": true, "b": true, "i": true, "u": true, "s": true, "em": true, "strong": true, "span": true,
	"font": true, "small": true, "big": true, "sup": true, "sub": true, "mark": true, "del": true,
	"ins": true, "code": true, "tt": true, "strike": true, "kbd": true, "abbr": true, "bdi": true, "bdo": true,
}

// blockTags are the other HTML elements whose tags stripMarkup takes out.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "ul": true, "ol": true, "tr": true, "td": true,
	"th": true, "table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"hr": true, "wbr": true, "blockquote": true, "pre": true,
}

// Bounds of what stripMarkup reads as a tag or a character reference.
const (
	maxTagBytes    = 120
	maxEntityBytes = 32
)

// stripMarkup takes out the HTML that pasted text carries: tags of known
// elements ("186<font color=red>5531</font>0927") and character references
// ("admin.hr&#64;mekongstarjobs&#46;com", "&commat;"), which become the
// character they stand for (by html.UnescapeString). A '<' that opens no
// known element ("<username>", "< 5 days") and an '&' that starts no
// reference ("A&B Co") stay as written.
func stripMarkup(s string) (string, *spanMap) {
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		return s, nil
	}
	var w *rewriter
	for i := 0; i < len(s); i++ {
		var e int
		var repl string
		switch s[i] {
		case '<':
			var inline bool
			if e, inline = tagAt(s, i); e == i {
				continue
			}
			if !inline {
				repl = " "
			}
		case '&':
			if e = entityEnd(s, i); e == i {
				continue
			}
			if repl = html.UnescapeString(s[i:e]); repl == s[i:e] {
				continue
			}
		default:
			continue
		}
		if w == nil {
			w = &rewriter{src: s}
		}
		w.replace(i, e, repl)
		i = e - 1
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// tagAt returns the end of an HTML tag of a known element at s[i] (start,
// end or empty-element tag, with attributes) and whether the element is
// inline formatting; the end is i when there is none.
func tagAt(s string, i int) (int, bool) {
	p := i + 1
	if at(s, p) == '/' {
		p++
	}
	n := p
	for n < len(s) && n-p < 10 && isAlnum(s[n]) {
		n++
	}
	if n == p || !isLetter(s[p]) {
		return i, false
	}
	name := lowerASCII(s[p:n])
	inline := inlineTags[name]
	if !inline && !blockTags[name] {
		return i, false
	}
	switch at(s, n) {
	case '>':
		if name == "a" && s[i+1] != '/' {
			return i, false // "hr<a>gmail.com" is an at sign; an anchor has attributes
		}
		return n + 1, inline
	case ' ', '/':
	default:
		return i, false
	}
	for e := n; e < len(s) && e-i <= maxTagBytes; e++ {
		switch s[e] {
		case '>':
			return e + 1, inline
		case '<', '\n':
			return i, false
		}
	}
	return i, false
}

// entityEnd returns the end of a character reference at s[i] ("&#64;",
// "&#x40;", "&commat;"), or i. Only its shape is checked; whether the name
// is one html knows is for html.UnescapeString.
func entityEnd(s string, i int) int {
	p := i + 1
	if at(s, p) == '#' {
		p++
		if c := at(s, p); c == 'x' || c == 'X' {
			p++
		}
	}
	e := p
	for e < len(s) && e-i < maxEntityBytes && isAlnum(s[e]) {
		e++
	}
	if e == p || at(s, e) != ';' {
		return i
	}
	return e + 1
}
