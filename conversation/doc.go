// Package conversation holds Parley's chat engine: the Message and its
// transcript, the Participant contract, and the engines that let
// participants take turns (Initiate for two-agent chats) with their stop
// conditions: a turn limit, a termination message, a participant with no
// reply, a participant's own limits, and context cancellation.
//
// A Chat is a value that owns its transcript; participants hold no per-chat
// state, so one participant can take part in many chats at once. Per-chat
// resources (a container, a kernel) are opened through Chat.Resource and
// closed when the chat ends.
//
// The package imports nothing else of Parley's: agents, executors and
// terminal front ends build on it.
package conversation
