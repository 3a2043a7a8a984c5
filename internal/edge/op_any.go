package edge

// Any matches every value; the documentation gives it for default actions.
// How it treats an absent variable is not documented (see Reading).
type opAny struct{}

func newAny(_ []string) (operator, error) { return opAny{}, nil }

func (opAny) match(string) bool { return true }
