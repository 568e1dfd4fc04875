package converse

// Command is command, for the black-box tests.
var Command = command
