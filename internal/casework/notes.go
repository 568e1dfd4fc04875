package casework

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// A case's internal notes: staff's working text about a case, sealed with
// the case's data key (made with its first note and kept in data_keys under
// the case's ID, as a report's is under the report's). Staff of the owning
// organisation who may work on the case read and write them
// (auth.ReadNotes, auth.WriteNote); only a note's author edits it, and an
// edit adds a version, the earlier ones staying readable. A partner never
// reads them, whatever a referral shares: auth.Can gives partners neither
// action, and to a partner a case it may read has no notes to list.

// MaxNote bounds a note's text, in characters.
const MaxNote = 10000

// NoteView is a note as its readers see it: its latest text and every
// version, oldest first.
type NoteView struct {
	ID        string        `json:"id"`
	CaseID    string        `json:"case_id"`
	AuthorID  string        `json:"author_id,omitempty"`
	Text      string        `json:"text"`
	Version   int           `json:"version"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Versions  []NoteVersion `json:"versions"`
}

// NoteVersion is one version of a note's text.
type NoteVersion struct {
	Version   int       `json:"version"`
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// NoteIn is a note's text, new or edited.
type NoteIn struct {
	Text string `json:"text"`
}

func (in *NoteIn) validate() error {
	if strings.TrimSpace(in.Text) == "" {
		return invalid.Field("text", "required", "is required: write the note")
	}
	return invalid.Text("text", in.Text, MaxNote, true)
}

func noteContext(noteID string, version int) string {
	return "note:" + noteID + ":v" + strconv.Itoa(version) + ":text"
}

// caseKey returns a case's data key, made and stored if it has none yet.
func (s *Service) caseKey(ctx context.Context, q store.Q, caseID string, create bool) (*seal.DataKey, error) {
	w, err := q.GetDataKey(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) && create {
		_, fresh, err := s.keys.NewDataKey(caseID)
		if err != nil {
			return nil, fmt.Errorf("casework: case key: %w", err)
		}
		if w, err = q.PutCaseDataKey(ctx, caseID, fresh, store.Now()); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	dk, err := s.keys.Unwrap(caseID, w)
	if err != nil {
		return nil, fmt.Errorf("casework: open the key of case %s: %w", caseID, err)
	}
	return dk, nil
}

// Notes returns a case's notes, oldest first, every version opened. Not
// found for a case a may not read; forbidden for one it may read but whose
// notes it may not. A partner the case is referred to reads only the notes
// a referral to its organisation shared, each at the version shared, with
// no author (who wrote it is the owning organisation's business).
func (s *Service) Notes(ctx context.Context, a auth.Actor, caseID string) ([]*NoteView, error) {
	q := s.db.Read()
	var shared map[string]int
	if a.Role == auth.Partner {
		if _, _, _, err := s.load(ctx, q, a, caseID, auth.ReadCase); err != nil {
			return nil, err
		}
		var err error
		if shared, err = q.SharedNotes(ctx, caseID, a.OrgID); err != nil {
			return nil, err
		}
	} else if _, _, _, err := s.load(ctx, q, a, caseID, auth.ReadNotes); err != nil {
		return nil, err
	}
	notes, versions, err := q.ListCaseNotes(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]*NoteView, 0, len(notes))
	if len(notes) == 0 || (shared != nil && len(shared) == 0) {
		return out, nil
	}
	dk, err := s.caseKey(ctx, q, caseID, false)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		if shared != nil {
			sv, ok := shared[n.ID]
			if !ok {
				continue
			}
			v, err := sharedNote(dk, n, versions[n.ID], sv)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		v := &NoteView{ID: n.ID, CaseID: n.CaseID, AuthorID: n.CreatedBy, Version: n.Version,
			CreatedAt: store.Time(n.CreatedAt), UpdatedAt: store.Time(n.UpdatedAt), Versions: []NoteVersion{}}
		for _, nv := range versions[n.ID] {
			text, err := dk.Open(nv.Text, noteContext(n.ID, nv.Version))
			if err != nil {
				return nil, fmt.Errorf("casework: open note %s v%d: %w", n.ID, nv.Version, err)
			}
			v.Versions = append(v.Versions, NoteVersion{Version: nv.Version, Text: string(text), CreatedBy: nv.CreatedBy, CreatedAt: store.Time(nv.CreatedAt)})
			if nv.Version == n.Version {
				v.Text = string(text)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// AddNote adds a note to a case, sealed with the case's key, and audits it
// (case.note; the audit trail holds the note's ID, never its text).
func (s *Service) AddNote(ctx context.Context, a auth.Actor, caseID string, in *NoteIn) (*NoteView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	n := &store.CaseNote{ID: store.NewID(), CaseID: caseID, CreatedBy: a.UserID, CreatedAt: now.UnixMicro(), UpdatedAt: now.UnixMicro(), Version: 1}
	err := s.db.Tx(ctx, func(q store.Q) error {
		if _, _, _, err := s.load(ctx, q, a, caseID, auth.WriteNote); err != nil {
			return err
		}
		dk, err := s.caseKey(ctx, q, caseID, true)
		if err != nil {
			return err
		}
		v := &store.CaseNoteVersion{NoteID: n.ID, Version: 1, Text: dk.Seal([]byte(in.Text), noteContext(n.ID, 1)), CreatedBy: a.UserID, CreatedAt: n.CreatedAt}
		if err := q.PutCaseNote(ctx, n, v); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "case.note", "case", caseID, map[string]string{"note": n.ID})
	})
	if err != nil {
		return nil, err
	}
	return &NoteView{ID: n.ID, CaseID: caseID, AuthorID: a.UserID, Text: in.Text, Version: 1, CreatedAt: now, UpdatedAt: now,
		Versions: []NoteVersion{{Version: 1, Text: in.Text, CreatedBy: a.UserID, CreatedAt: now}}}, nil
}

// EditNote adds a version to a note: only its author may, and the earlier
// versions stay. ifMatch, when not 0, is the version the edit was made on:
// another edit since is refused (412). Audited (case.note_edit).
func (s *Service) EditNote(ctx context.Context, a auth.Actor, caseID, noteID string, ifMatch int, in *NoteIn) (*NoteView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err := s.db.Tx(ctx, func(q store.Q) error {
		if _, _, _, err := s.load(ctx, q, a, caseID, auth.WriteNote); err != nil {
			return err
		}
		n, err := q.GetCaseNote(ctx, noteID)
		if err != nil {
			return err
		}
		if n.CaseID != caseID {
			return fmt.Errorf("note %s: %w", noteID, store.ErrNotFound)
		}
		if n.CreatedBy != a.UserID {
			return auth.ErrForbidden
		}
		if ifMatch != 0 && ifMatch != n.Version {
			return invalid.ErrPrecondition
		}
		dk, err := s.caseKey(ctx, q, caseID, false)
		if err != nil {
			return err
		}
		version := n.Version + 1
		v := &store.CaseNoteVersion{NoteID: n.ID, Version: version, Text: dk.Seal([]byte(in.Text), noteContext(n.ID, version)), CreatedBy: a.UserID, CreatedAt: now.UnixMicro()}
		if err := q.AddCaseNoteVersion(ctx, v); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "case.note_edit", "case", caseID, map[string]any{"note": n.ID, "version": version})
	})
	if err != nil {
		return nil, err
	}
	notes, err := s.Notes(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		if n.ID == noteID {
			return n, nil
		}
	}
	return nil, fmt.Errorf("note %s: %w", noteID, store.ErrNotFound)
}

// sharedNote is note n as a partner reads it: the version shared, alone,
// without its author.
func sharedNote(dk *seal.DataKey, n *store.CaseNote, versions []*store.CaseNoteVersion, version int) (*NoteView, error) {
	for _, nv := range versions {
		if nv.Version != version {
			continue
		}
		text, err := dk.Open(nv.Text, noteContext(n.ID, nv.Version))
		if err != nil {
			return nil, fmt.Errorf("casework: open note %s v%d: %w", n.ID, nv.Version, err)
		}
		at := store.Time(nv.CreatedAt)
		return &NoteView{ID: n.ID, CaseID: n.CaseID, Text: string(text), Version: version, CreatedAt: store.Time(n.CreatedAt), UpdatedAt: at,
			Versions: []NoteVersion{{Version: version, Text: string(text), CreatedAt: at}}}, nil
	}
	return nil, fmt.Errorf("casework: note %s has no version %d: %w", n.ID, version, store.ErrNotFound)
}

// referralNotes checks that each id is a note of the case and returns the
// notes at their current versions; an id that is not names its field.
func referralNotes(ctx context.Context, q store.Q, caseID string, ids []string) ([]store.SharedNote, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	notes, _, err := q.ListCaseNotes(ctx, caseID)
	if err != nil {
		return nil, err
	}
	version := map[string]int{}
	for _, n := range notes {
		version[n.ID] = n.Version
	}
	var out []store.SharedNote
	seen := map[string]bool{}
	for i, id := range ids {
		v, ok := version[id]
		if !ok {
			return nil, invalid.Field(fmt.Sprintf("note_ids[%d]", i), "not_found", "no note %q on this case", id)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, store.SharedNote{NoteID: id, Version: v})
		}
	}
	return out, nil
}
