package intake

import (
	"encoding/json"
	"fmt"

	"github.com/vigil-project/vigil/internal/store"
)

// Opened is a report's content opened for internal follow-up work (the
// link index): its statements' latest texts, keyed "statement id:kind",
// its sealed part (nil if it has none or it was erased), and the region its
// national phone numbers are read in (see Region). It is not a reveal:
// nothing of it may leave the process, so it is not audited.
type Opened struct {
	Texts  map[string]string
	Sealed *Sealed
	Region string
}

// OpenSource opens a report read by store.GetLinkSource or
// store.ScanLinkSources. It needs no database access, so many can be opened
// in parallel.
func (s *Service) OpenSource(src *store.LinkSource) (*Opened, error) {
	out := &Opened{Texts: map[string]string{}, Region: Region(src.Country, src.Places, src.OrgCountry)}
	if src.Wrapped == nil {
		// Erased: the texts read as empty, as they do everywhere else.
		for _, t := range src.Texts {
			out.Texts[t.StatementID+":"+t.Kind] = ""
		}
		return out, nil
	}
	dk, err := s.keys.Unwrap(src.ID, src.Wrapped)
	if err != nil {
		return nil, fmt.Errorf("intake: open data key of %s: %w", src.ID, err)
	}
	for _, t := range src.Texts {
		b, err := dk.Open(t.Text, versionContext(t.StatementID, t.Version, "text"))
		if err != nil {
			return nil, fmt.Errorf("intake: open statement %s v%d: %w", t.StatementID, t.Version, err)
		}
		out.Texts[t.StatementID+":"+t.Kind] = string(b)
	}
	if src.Sealed != nil && src.ErasedAt == 0 {
		b, err := dk.Open(src.Sealed, sealedContext(src.ID))
		if err != nil {
			return nil, fmt.Errorf("intake: open sealed part of %s: %w", src.ID, err)
		}
		out.Sealed = &Sealed{}
		if err := json.Unmarshal(b, out.Sealed); err != nil {
			return nil, fmt.Errorf("intake: sealed part of %s: %w", src.ID, err)
		}
	}
	return out, nil
}
