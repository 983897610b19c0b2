"""torch.gather for the last real step, the Transformer's padding mask from ids == 0 (padding is id 0) and a
cumulative-sum mean, a DataLoader with the seeded generator and set_to_none zero_grad plus gradient clipping
by value, and the curves drawn with pyplot (Agg) on twin axes."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class RNNClassifier(RNNClassifier):  # noqa: F821 (the solution's class, defined above)
    def forward(self, ids, lengths):
        out, _ = self.rnn(self.embedding(ids))
        index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2])
        return self.fc(out.gather(1, index).squeeze(1))


class LSTMClassifier(LSTMClassifier):  # noqa: F821
    def forward(self, ids, lengths):
        out, _ = self.lstm(self.embedding(ids))
        index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2])
        return self.fc(out.gather(1, index).squeeze(1))


class TransformerClassifier(TransformerClassifier):  # noqa: F821
    def forward(self, ids, lengths):
        T = ids.shape[1]
        pad = ids == 0
        x = self.embedding(ids) + self.position(torch.arange(T, device=ids.device))
        h = self.encoder(x, src_key_padding_mask=pad)
        h = torch.where(pad.unsqueeze(-1), torch.zeros_like(h), h)
        summed = h.cumsum(dim=1)[:, -1]
        return self.fc(summed / (~pad).sum(1, keepdim=True))


def train_sentiment(model, ids, lengths, labels, epochs=5, lr=1e-2, batch_size=16, seed=0):
    generator = torch.Generator()
    generator.manual_seed(seed)
    loader = DataLoader(TensorDataset(ids, lengths, labels), batch_size=batch_size, shuffle=True,
                        generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    losses, accs = [], []
    for epoch in range(epochs):
        model.train()
        s, c, n = 0.0, 0, 0
        for x, l, y in loader:
            optimizer.zero_grad(set_to_none=True)
            out = model(x, l)
            loss = criterion(out, y) / len(y)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 5.0)
            optimizer.step()
            s += loss.item() * len(y)
            c += (out.argmax(-1) == y).sum().item()
            n += len(y)
        losses.append(s / n)
        accs.append(c / n)
    return {"loss": losses, "accuracy": accs}


def plot_history(history, path, title=""):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    epochs = range(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], color="tab:red", label="loss")
    twin = ax.twinx()
    twin.plot(epochs, history["accuracy"], color="tab:blue", label="accuracy")
    ax.set_title(title)
    fig.savefig(path)
    plt.close(fig)
    return str(path)
