"""RNNClassifier classifies the RNN's output at the first word (step 0) instead of the last real one."""
HINT = "first_step"


class RNNClassifier(RNNClassifier):  # noqa: F821 (the solution's class, defined above)
    def forward(self, ids, lengths):
        outputs, _ = self.rnn(self.embedding(ids))
        return self.fc(outputs[:, 0])
