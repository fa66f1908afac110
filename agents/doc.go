// Package agents holds Parley's ConversableAgent: a conversation.Participant
// whose behaviour is an ordered reply chain of small reply functions (human
// input and termination, tool calls, code execution, the LLM, a default
// reply), each able to answer or pass, in the spirit of AutoGen 0.2.
//
// An agent may be backed by an LLM (any OpenAI-compatible endpoint through
// the OpenAI type), by a human (the Human interface; terminal front ends live
// in their own package), by Go reply functions, or by a code executor
// (WithCodeExecution), which runs the fenced code blocks of the other agent's
// messages after an Approver accepts each one.
//
// Tools are Go functions offered to the model (NewTool derives their JSON
// schema from an argument struct); RunCodeTool lets a model ask for code to
// run through a tool call, on the same approval path as fenced blocks. The
// OpenAI client retries rate limits, server errors and dropped connections
// with backoff, honouring Retry-After, and reports typed errors
// (ErrUnauthorized, ErrModelNotFound, ErrContextLength, ...). Subscribers to
// the event stream (ContextWithEvents) see tokens, messages, tool calls,
// reviews, executions and retries as they happen; Accounting sums tokens,
// cost and executor time of a finished chat.
//
// For group chats, AutoSelect lets a model pick the next speaker and
// ManualSelect asks a human; Nested answers by running inner chats; and
// ReflectionSummary summarises a chat with a model.
//
// Agents hold no per-chat state: one agent value can take part in many chats
// at once. Per-chat resources (an executor for stateful back ends) live in
// the chat (conversation.Chat.Resource) and are closed when it ends.
package agents
