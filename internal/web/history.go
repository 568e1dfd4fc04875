package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// detailValues are the prefixes of the labels of a history detail's coded
// values, by key ("status": ["triaged", "in_progress"] reads "Triaged →
// In progress").
var detailValues = map[string]string{"status": "cstatus.", "urgency": "urgency.", "reason": "dismiss."}

// readableDetail turns what the audit trail recorded of a change (a JSON
// object) into words for the case history: each key by its label, IDs by
// the name of the person or organisation or a short form, coded values by
// their labels, a pair [old, new] as "old → new". A detail that is not an
// object is shown as it is.
func readableDetail(l *Locale, raw []byte, names map[string]string) string {
	var m map[string]any
	if len(raw) == 0 {
		return ""
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return string(raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := detailValue(l, k, m[k], names)
		if v == "" {
			parts = append(parts, l.TOr("detail.", k))
			continue
		}
		parts = append(parts, l.TOr("detail.", k)+": "+v)
	}
	return strings.Join(parts, "; ")
}

func detailValue(l *Locale, key string, v any, names map[string]string) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		if key == "title" {
			return "" // the title changed; what it says is sealed
		}
		if v {
			return l.T("form.yes")
		}
		return l.T("form.no")
	case float64:
		return fmt.Sprint(v)
	case string:
		if v == "" {
			return "—"
		}
		if n, ok := names[v]; ok {
			return n
		}
		if p, ok := detailValues[key]; ok {
			return l.TOr(p, v)
		}
		if looksLikeID(v) {
			return shortID(v)
		}
		return v
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = detailValue(l, key, x, names)
		}
		// A pair of strings under a changed field is old → new.
		if len(v) == 2 && (key == "status" || key == "urgency" || key == "assignee") {
			return out[0] + " → " + out[1]
		}
		return strings.Join(out, ", ")
	case map[string]any:
		if from, ok := v["from"]; ok {
			return detailValue(l, key, from, names) + " → " + detailValue(l, key, v["to"], names)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

// looksLikeID reports whether s is one of Vigil's UUIDs.
func looksLikeID(s string) bool {
	if len(s) != 36 || strings.Count(s, "-") != 4 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef-") == ""
}
