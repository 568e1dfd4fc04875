package converse

// Command is command, for the black-box tests.
var Command = command

// ChatIndex is chatIndex, for the black-box tests.
func (e *Engine) ChatIndex(channel, chat string) string { return e.chatIndex(channel, chat) }
