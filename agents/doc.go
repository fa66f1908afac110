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
// Agents hold no per-chat state: one agent value can take part in many chats
// at once.
package agents
