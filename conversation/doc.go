// Package conversation holds Parley's chat engine: the Message and its
// transcript, the Participant contract, and the engines that let
// participants take turns, with their stop conditions: a turn or round
// limit, a termination message, a participant with no reply, a
// participant's own limits, and context cancellation.
//
//   - Initiate runs a two-agent chat.
//   - GroupChat runs several members over one shared transcript; a
//     SpeakerSelector (RoundRobin, Random, a SelectorFunc, or the LLM and
//     human selectors of package agents) picks who speaks next, within the
//     allowed or disallowed Transitions.
//   - RunSequential runs chats one after another, carrying each summary
//     over into the next chat's first message.
//   - Transcripts are JSON Lines (WithTranscript, ReadTranscript); Resume
//     loads one, repairing a last line cut by a crash, so a chat continues
//     where it stopped.
//
// Every chat ends with a Result that holds the whole history and why it
// ended (a StopReason), also when a participant failed.
//
// A Chat is a value that owns its transcript; participants hold no per-chat
// state, so one participant can take part in many chats at once. Per-chat
// resources (a container, a kernel) are opened through Chat.Resource and
// closed when the chat ends.
//
// The package imports nothing else of Parley's: agents, executors and
// terminal front ends build on it.
package conversation
