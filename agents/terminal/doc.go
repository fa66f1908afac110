// Package terminal puts code review and human input in front of a person at
// a real terminal, with charmbracelet's huh forms: an agents.Approver that
// shows each block (language, filename, syntax-highlighted code, executor
// and limits, policy advice) and asks to run, edit, skip, run the rest of
// the message, or abort the chat; and an agents.Human that takes multi-line
// replies.
//
// It lives in its own package so that programs which do not need a terminal
// UI do not link huh, bubbletea and chroma.
//
// Forms read keys in raw mode, so Ctrl-C inside a form is a key, not a
// signal: at a review it aborts the chat, at an input prompt it means
// "exit". With WithAccessible(true) the same questions are asked as plain
// numbered prompts, one line each (for screen readers and dumb terminals);
// end of input there is an error, never a default answer.
package terminal
