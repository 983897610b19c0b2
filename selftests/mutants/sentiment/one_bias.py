"""recurrent_parameter_count gives the recurrent layer one bias vector (as in the equations), where torch's
nn.RNN / nn.LSTM have two, bias_ih and bias_hh."""
HINT = "one_bias"


def recurrent_parameter_count(kind, vocab_size, embed_dim, hidden_size):
    gates = {"rnn": 1, "lstm": 4}[kind]
    V, E, H = vocab_size, embed_dim, hidden_size
    return V * E + gates * (E * H + H * H + H) + (H * 2 + 2)
