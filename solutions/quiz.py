"""Multiple-choice quiz: training convolutional networks.

Eight questions, each with four statements labelled "i", "ii", "iii", "iv". Every question has AT
LEAST one true statement (possibly several). For each question, fill in its ``answer_*`` function so
that it returns the SET of labels of the true statements, e.g. ``return {"i", "iii"}``.

Conventions (fixed for every question):

* Return a ``set`` (or ``frozenset``) of strings; a list or tuple of distinct labels is accepted too.
  Order does not matter. Labels are the lower-case roman numerals "i", "ii", "iii", "iv"; upper case
  ("III") and surrounding spaces are accepted and mean the same; anything else (e.g. "(iii)", "c",
  3) is rejected with a message, and so is an empty set.
* Each question is graded exactly: the set must be exactly the true statements (no partial credit).
  The grader holds only hashes of the answers. When an answer is wrong, the feedback shows small
  experiments run with torch (for the statements that an experiment can check) and, when your answer
  matches a common misconception, a hint naming it.
* Where a statement is ambiguous, the question's docstring fixes the reading; use that reading.

Everything here is graded automatically; there is no written part. Work each statement out (a few
lines of torch settle several of them) rather than guessing: a guess has a 1 in 15 chance.
"""
from __future__ import annotations


def answer_a() -> set:
    """(a) A CNN image classifier is built from Conv layers, max pooling, ReLU activations and a final
    softmax, and has NO bias terms anywhere. Ignoring floating-point rounding, which are true?

    - i:   Multiplying all weights by 10 at inference time does not change the prediction accuracy.
    - ii:  Multiplying all weights by 10 at the start of training does not change how training
           converges.
    - iii: Multiplying the input images by 10 at inference time does not change the prediction
           accuracy.
    - iv:  Subtracting each channel's mean from the input images at inference time does not change
           the prediction accuracy.
    """
    # BEGIN SOLUTION
    # Without biases, conv and linear layers are linear, and ReLU and max pooling are positively
    # homogeneous (f(c x) = c f(x) for c > 0). So scaling every weight by 10 scales the logits by
    # 10^L (L = number of weighted layers) and scaling the input by 10 scales them by 10: a positive
    # factor never changes the argmax, so i and iii are true (the softmax gets sharper, the
    # prediction is the same).
    # ii is false: the loss (softmax sharpness) and the gradients change (each layer's gradient is
    # scaled by 10^(L-1) while its weight is scaled by 10), so training behaves differently.
    # iv is false: subtracting a mean is a shift, not a scaling; it changes the logits in a way that
    # is not a positive multiple, so predictions can change.
    return {"i", "iii"}
    # END SOLUTION


def answer_b() -> set:
    """(b) Which methods can mitigate EXPLODING gradients?

    - i:   Using ReLU activations instead of sigmoid.
    - ii:  Adding batch normalization layers.
    - iii: Gradient clipping.
    - iv:  Residual (skip) connections.
    """
    # BEGIN SOLUTION
    # i is false: sigmoid's derivative is at most 1/4, ReLU's is 1, so switching to ReLU makes
    # gradients LARGER: it is a cure for vanishing gradients, not for exploding ones.
    # ii is true: batch normalization rescales every layer's pre-activations to unit variance, so the
    # size of the weights no longer compounds from layer to layer (the output is invariant to the
    # scale of the weights, and the gradient w.r.t. a weight shrinks as the weight grows).
    # iii is true: clipping caps the gradient norm (or each entry) before the update, by construction.
    # iv is false: a skip connection adds an identity path (dh_l/dh_{l-1} = I + dF/dh), which keeps
    # gradients from vanishing; it does nothing to stop them from growing (it can make them larger).
    return {"ii", "iii"}
    # END SOLUTION


def answer_c() -> set:
    """(c) Which are true?

    - i:   For a linear softmax classifier, initialising all weights and biases to zero makes every
           entry of the final trained weight matrix W equal.
    - ii:  For a small data set of handwritten letters A-Z (each letter equally frequent), randomly
           flipping every image horizontally and vertically is a good data augmentation.
    - iii: A softmax classifier reaches 100% accuracy on a data set. Replacing W by 3W keeps the same
           accuracy and gives a smaller cross-entropy loss (no regularisation).
    - iv:  A k-nearest-neighbour classifier on images with the L1 distance: flipping every training
           and every test image horizontally does not change the prediction accuracy.

    Reading fixed for iii: the classifier's scores are ``s = W x`` (any bias is folded into W as a
    column that multiplies a constant input feature 1), and "100% accuracy" means that for every
    example the score of the true class is strictly larger than every other score.
    """
    # BEGIN SOLUTION
    # i is false: at the zero initialisation the softmax is uniform, and the gradient of row k of W is
    # sum_n (p_nk - y_nk) x_n, which depends on the class k and on the data: the rows (and the
    # entries within a row) become different after the first step.
    # ii is false: flipped letters are not the same letters (b/d, p/q, and most flipped letters are
    # not letters at all), so the augmentation corrupts the labels.
    # iii is true (with the reading above): the scores become 3 s, the argmax is unchanged, and each
    # loss term -log softmax(s)_y = log sum_j exp(s_j - s_y) has every s_j - s_y <= 0 (strictly < 0
    # for j != y), so multiplying the differences by 3 strictly lowers it. (With a separate bias
    # that is not scaled, the accuracy could change: that is why the reading is fixed.)
    # iv is true: flipping both images applies the same permutation of pixels to each, and the L1
    # distance is a sum over pixels, so every distance and hence every neighbour is unchanged.
    return {"iii", "iv"}
    # END SOLUTION


def answer_d() -> set:
    """(d) Which are true?

    - i:   If the input to a ConvNet is an all-zero image, the predicted class probabilities are
           uniform.
    - ii:  Validation accuracy is much lower than training accuracy; a friend suggests adding batch
           normalization. The new model is likely to have a smaller gap between training and
           validation accuracy.
    - iii: For a vector y and ANY real number c, softmax(c y) = softmax(y), because the softmax
           normalises its input into a probability distribution.
    - iv:  For data normalisation, the mean and standard deviation are usually computed over the
           whole data set before splitting it into training / validation / test sets.

    Reading fixed for i: a ConvNet as usually built, with bias terms.
    """
    # BEGIN SOLUTION
    # i is false: with a zero input every weighted sum is zero, but the biases are not, so the logits
    # are a function of the biases and in general not all equal.
    # ii is true: batch normalization has a regularising effect (each example is normalised with the
    # statistics of a random mini-batch, which adds noise), so it tends to reduce overfitting, i.e.
    # the train/validation gap (Ioffe & Szegedy, 2015, section 3.4).
    # iii is false: the softmax is invariant to ADDING a constant, not to scaling: c > 1 sharpens,
    # 0 < c < 1 flattens, c = 0 gives the uniform distribution, c < 0 reverses the order.
    # iv is false: statistics must come from the training split only; computing them on everything
    # leaks information from the validation and test sets into training.
    return {"ii"}
    # END SOLUTION


def answer_e() -> set:
    """(e) At TEST time, a dropout layer implemented as inverted dropout with drop probability p:

    - i:   multiplies its input by p.
    - ii:  drops each input unit with probability p.
    - iii: divides its input by p.
    - iv:  none of the above.
    """
    # BEGIN SOLUTION
    # Inverted dropout does all its rescaling during training (kept units are divided by 1 - p, the
    # keep probability), so at test time it is the identity: nothing is dropped or scaled. Only iv.
    # (nn.Dropout in eval mode returns its input unchanged.)
    return {"iv"}
    # END SOLUTION


def answer_f() -> set:
    """(f) Which are true about the momentum update rule (v <- beta v + grad, w <- w - lr v)?

    - i:   It has no hyperparameters.
    - ii:  It is better at getting past local minima, because it keeps a running statistic of the
           gradients.
    - iii: For a network with n parameters, momentum needs to store O(n) extra numbers.
    - iv:  None of the above.
    """
    # BEGIN SOLUTION
    # i is false: the momentum coefficient beta is a hyperparameter (on top of the learning rate).
    # ii is true: the velocity is an exponentially weighted running sum of past gradients; the
    # accumulated velocity can carry the parameters through small bumps, shallow local minima and
    # flat saddle regions where the current gradient alone would stall.
    # iii is true: one velocity entry per parameter (torch.optim.SGD keeps a "momentum_buffer" of the
    # shape of each parameter).
    # iv is false since ii and iii are true.
    return {"ii", "iii"}
    # END SOLUTION


def answer_g() -> set:
    """(g) Which are true about early stopping?

    - i:   It can reduce the need to tune the number of training epochs.
    - ii:  It increases the model's variance.
    - iii: We stop training when the ACCURACY on the validation set reaches a trough (its lowest
           point).
    - iv:  It can speed up training a lot, at the cost of parameters that are less optimal (for the
           training loss).
    """
    # BEGIN SOLUTION
    # i is true: training runs until the validation metric stops improving, so the epoch count is
    # chosen by the procedure rather than tuned by hand.
    # ii is false: stopping early restricts how far the weights move from their initialisation; it is
    # a regulariser and lowers variance (at some cost in bias).
    # iii is false: we stop near the validation LOSS trough, i.e. the validation accuracy PEAK; a trough
    # of the accuracy would be its worst point.
    # iv is true: it stops before the training loss is minimised, saving the remaining epochs, and the
    # parameters are not the training-loss optimum.
    return {"i", "iv"}
    # END SOLUTION


def answer_h() -> set:
    """(h) Which are true about backpropagation?

    - i:   For a network with O(n) parameters, backpropagation costs O(n^2) operations.
    - ii:  Backpropagation works only when the computational graph has no directed cycles.
    - iii: The beta parameters of Adam are updated with backpropagation.
    - iv:  The gamma (scale) parameter of batch normalization is updated with backpropagation.
    """
    # BEGIN SOLUTION
    # i is false: backpropagation visits each edge of the graph once, like the forward pass, so it
    # costs O(n) for a network whose cost is dominated by its n weights.
    # ii is true: reverse-mode differentiation needs a topological order of the graph, i.e. a DAG;
    # recurrent networks are differentiated by unrolling them in time into a DAG.
    # iii is false: Adam's beta_1 and beta_2 are hyperparameters (decay rates of the moment
    # estimates), set by hand, not learned.
    # iv is true: gamma (and the shift beta of batch normalization) are learnable parameters of the
    # layer (nn.BatchNorm's weight and bias), trained by gradient descent like any weight.
    return {"ii", "iv"}
    # END SOLUTION
