package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// ExportStatements returns a report's statements, every version opened,
// for an export that carries testimony. Call it only for an export that
// RevealForExport has authorised and recorded: the report is checked
// again (a who may reveal it), and an erased report, or one a may not
// reveal, has none (nil, nil).
func (s *Service) ExportStatements(ctx context.Context, a auth.Actor, reportID string) ([]StatementView, error) {
	q := s.db.Read()
	r, ok, err := s.exportable(ctx, q, a, reportID)
	if err != nil || !ok {
		return nil, err
	}
	return s.statements(ctx, q, r)
}

// ExportAttachments calls fn with each of a report's attachments and its
// file as received (opened with the report's data key), for an export
// that carries testimony, under the rule of ExportStatements. Files are
// opened one at a time.
func (s *Service) ExportAttachments(ctx context.Context, a auth.Actor, reportID string, fn func(AttachmentView, []byte) error) error {
	q := s.db.Read()
	r, ok, err := s.exportable(ctx, q, a, reportID)
	if err != nil || !ok {
		return err
	}
	views, err := s.attachmentViews(ctx, q, a, r)
	if err != nil || len(views) == 0 {
		return err
	}
	dk, err := s.dataKey(ctx, q, r.ID)
	if err != nil {
		return err
	}
	for _, v := range views {
		sealed, err := s.Files.Get(ctx, v.ID)
		if err != nil {
			return fmt.Errorf("intake: attachment %s: %w", v.ID, err)
		}
		data, err := dk.Open(sealed, attachmentContext(v.ID, "file"))
		if err != nil {
			return fmt.Errorf("intake: open attachment %s: %w", v.ID, err)
		}
		if err := fn(v, data); err != nil {
			return err
		}
	}
	return nil
}

// exportable loads a report for an export that reveals: false when a may
// not reveal it or it was erased.
func (s *Service) exportable(ctx context.Context, q store.Q, a auth.Actor, reportID string) (*store.Report, bool, error) {
	r, _, _, err := s.load(ctx, q, a, reportID, auth.RevealSealed)
	if errors.Is(err, auth.ErrForbidden) || errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r, r.ErasedAt == 0, nil
}

// ImportedStatement is a statement another Vigil instance exported, to be
// filed again by ImportStatementsInto.
type ImportedStatement struct {
	// Key identifies it in the export (its id there); a recantation's
	// Recants names the statement it recants by that key.
	Key, Recants   string
	Kind, Language string
	Origin         StatementOrigin
	Versions       []string
	// Into, when set, is the id of a statement of the report already
	// holding the first version (the narrative ImportInto filed): only the
	// later versions are added to it.
	Into string
}

// ImportStatementsInto adds sts to report reportID in q, the import's
// transaction, in order: each a new statement (or, with Into, new
// versions of one) sealed with the report's data key and committed to the
// ledger as AddStatement and AddVersion do, indexed for search, with the
// report's follow-up jobs queued (see followUps). ids maps the keys of statements filed
// before (earlier in the export or by an earlier import) to their ids, for
// recantations; the new ones are added to it. Call Imported once q has
// committed. followUps false leaves the jobs out (ImportInto queued them
// in this transaction).
func (s *Service) ImportStatementsInto(ctx context.Context, q store.Q, a auth.Actor, reportID string, sts []ImportedStatement, ids map[string]string, followUps bool, now time.Time) error {
	r, _, _, err := s.load(ctx, q, a, reportID, auth.AddStatement)
	if err != nil {
		return err
	}
	var dk *seal.DataKey
	if dk, err = s.writeKey(ctx, q, r.ID); err != nil {
		return err
	}
	var texts []string
	for _, st := range sts {
		if err := invalid.Enum("kind", st.Kind, StatementKinds); err != nil {
			return fmt.Errorf("statement %s: %w", st.Key, err)
		}
		if len(st.Versions) == 0 {
			return fmt.Errorf("statement %s has no text", st.Key)
		}
		id, first := st.Into, 1
		if id == "" {
			recants := ""
			if st.Recants != "" {
				if recants = ids[st.Recants]; recants == "" {
					return fmt.Errorf("statement %s recants %s, which is not in the report", st.Key, st.Recants)
				}
			}
			w := newStatement(dk, r.ID, st.Kind, recants, st.Language, st.Versions[0], a.UserID, now)
			o := st.Origin
			w.stmt.Source, w.stmt.TakenBy, w.stmt.Circumstances, w.stmt.Channel = o.Source, o.TakenBy, o.Circumstances, o.Channel
			if err := w.put(ctx, q); err != nil {
				return err
			}
			id = w.stmt.ID
			texts = append(texts, st.Versions[0])
		}
		ids[st.Key] = id
		for v := first; v < len(st.Versions); v++ {
			w := newVersion(dk, id, v+1, st.Versions[v], a.UserID, now)
			if err := w.put(ctx, q); err != nil {
				return err
			}
			texts = append(texts, st.Versions[v])
		}
	}
	// Searchable, and linked again once committed, as AddStatement does.
	if err := q.PutSearchTerms(ctx, s.searchTerms(r.OrgID, r.ID, texts, nil)); err != nil {
		return err
	}
	if !followUps {
		return nil
	}
	return q.PutJobs(ctx, s.jobs(r.ID), now.UnixMicro())
}
