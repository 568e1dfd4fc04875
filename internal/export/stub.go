package export

import (
	"context"
	"errors"
	"io"
)

func (e *Export) writeFtM(ctx context.Context, w io.Writer) error { return errors.New("todo") }
