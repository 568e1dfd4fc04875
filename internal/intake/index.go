package intake

import "github.com/vigil-project/vigil/internal/store"

// Indexer computes a report's rows of the search index (package search)
// from its clear statement texts and its subjects' names, before they are
// sealed, so that intake writes them in the transaction that stores the
// texts. It must not keep what it is given.
type Indexer interface {
	SearchTerms(orgID, reportID string, texts, subjects []string) []store.SearchTerm
}

// searchTerms returns the index rows for texts and subjects of a report, or
// nil when the service keeps no index.
func (s *Service) searchTerms(orgID, reportID string, texts, subjects []string) []store.SearchTerm {
	if s.Index == nil {
		return nil
	}
	return s.Index.SearchTerms(orgID, reportID, texts, subjects)
}
