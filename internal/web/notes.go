package web

import (
	"net/http"
	"strings"

	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
)

// A case's internal notes and the statements staff take, from the case
// page. casework and intake decide, authorise, seal and audit them, as
// they do for the API.

// staffStatementKinds are the kinds of statement the case page's form adds.
var staffStatementKinds = []string{intake.KindTestimony, intake.KindRecantation, intake.KindThirdParty}

// mountNotes adds the case page's note and statement forms.
func (s *site) mountNotes(mux *http.ServeMux) {
	mux.Handle("POST /app/cases/{id}/notes", s.staffPage(false, s.caseNoteAdd))
	mux.Handle("POST /app/cases/{id}/notes/{note}", s.staffPage(false, s.caseNoteEdit))
	mux.Handle("POST /app/cases/{id}/statements", s.staffPage(false, s.caseStatement))
}

func (s *site) caseNoteAdd(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	n, err := s.d.Casework.AddNote(q.ctx(), q.actor, id, &casework.NoteIn{Text: q.r.PostFormValue("text")})
	if err != nil {
		return s.actionError(w, q, id, "note", err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=noted#note-"+n.ID)
}

func (s *site) caseNoteEdit(w http.ResponseWriter, q *req) error {
	id, note := q.r.PathValue("id"), q.r.PathValue("note")
	n, err := s.d.Casework.EditNote(q.ctx(), q.actor, id, note, formVersion(q), &casework.NoteIn{Text: q.r.PostFormValue("text")})
	if err != nil {
		return s.actionError(w, q, id, "note:"+note, err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=note_edited#note-"+n.ID)
}

// caseStatement adds a statement staff took (by phone, in person, …) to a
// report of the case.
func (s *site) caseStatement(w http.ResponseWriter, q *req) error {
	id, rid := q.r.PathValue("id"), q.r.PostFormValue("report")
	in := &intake.StatementIn{
		Kind: q.r.PostFormValue("kind"), RecantsID: q.r.PostFormValue("recants_id"), Language: q.r.PostFormValue("language"),
		Text: q.r.PostFormValue("text"), Channel: q.r.PostFormValue("channel"), Circumstances: strings.TrimSpace(q.r.PostFormValue("circumstances")),
	}
	if in.Kind != intake.KindRecantation {
		in.RecantsID = ""
	}
	st, err := s.d.Intake.AddStatement(q.ctx(), q.actor, rid, in)
	if err != nil {
		return s.actionError(w, q, id, "statement:"+rid, err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=statement_added#st-"+st.ID)
}
