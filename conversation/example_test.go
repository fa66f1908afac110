package conversation_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/parley-go/parley/conversation"
)

// Two participants backed by Go functions count to three; the chat ends on
// the default termination message.
func ExampleInitiate() {
	counter := conversation.ParticipantFunc{ParticipantName: "counter", Func: func(_ context.Context, chat *conversation.Chat) (conversation.Message, error) {
		last, _ := chat.Last()
		n, _ := strconv.Atoi(last.Content)
		if n >= 3 {
			return conversation.Message{Content: "TERMINATE"}, nil
		}
		return conversation.Message{Content: strconv.Itoa(n + 1)}, nil
	}}
	repeater := conversation.ParticipantFunc{ParticipantName: "repeater", Func: func(_ context.Context, chat *conversation.Chat) (conversation.Message, error) {
		last, _ := chat.Last()
		return conversation.Message{Content: last.Content}, nil
	}}

	res, err := conversation.Initiate(context.Background(), repeater, counter, "0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.History {
		fmt.Printf("%s: %s\n", m.Name, m.Content)
	}
	fmt.Println("ended by", res.Reason)
	// Output:
	// repeater: 0
	// counter: 1
	// repeater: 1
	// counter: 2
	// repeater: 2
	// counter: 3
	// repeater: 3
	// counter: TERMINATE
	// ended by termination
}
