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
    raise NotImplementedError("answer_a: replace this line with your solution (the docstring above says what to return)")


def answer_b() -> set:
    """(b) Which methods can mitigate EXPLODING gradients?

    - i:   Using ReLU activations instead of sigmoid.
    - ii:  Adding batch normalization layers.
    - iii: Gradient clipping.
    - iv:  Residual (skip) connections.
    """
    raise NotImplementedError("answer_b: replace this line with your solution (the docstring above says what to return)")


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
    raise NotImplementedError("answer_c: replace this line with your solution (the docstring above says what to return)")


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
    raise NotImplementedError("answer_d: replace this line with your solution (the docstring above says what to return)")


def answer_e() -> set:
    """(e) At TEST time, a dropout layer implemented as inverted dropout with drop probability p:

    - i:   multiplies its input by p.
    - ii:  drops each input unit with probability p.
    - iii: divides its input by p.
    - iv:  none of the above.
    """
    raise NotImplementedError("answer_e: replace this line with your solution (the docstring above says what to return)")


def answer_f() -> set:
    """(f) Which are true about the momentum update rule (v <- beta v + grad, w <- w - lr v)?

    - i:   It has no hyperparameters.
    - ii:  It is better at getting past local minima, because it keeps a running statistic of the
           gradients.
    - iii: For a network with n parameters, momentum needs to store O(n) extra numbers.
    - iv:  None of the above.
    """
    raise NotImplementedError("answer_f: replace this line with your solution (the docstring above says what to return)")


def answer_g() -> set:
    """(g) Which are true about early stopping?

    - i:   It can reduce the need to tune the number of training epochs.
    - ii:  It increases the model's variance.
    - iii: We stop training when the ACCURACY on the validation set reaches a trough (its lowest
           point).
    - iv:  It can speed up training a lot, at the cost of parameters that are less optimal (for the
           training loss).
    """
    raise NotImplementedError("answer_g: replace this line with your solution (the docstring above says what to return)")


def answer_h() -> set:
    """(h) Which are true about backpropagation?

    - i:   For a network with O(n) parameters, backpropagation costs O(n^2) operations.
    - ii:  Backpropagation works only when the computational graph has no directed cycles.
    - iii: The beta parameters of Adam are updated with backpropagation.
    - iv:  The gamma (scale) parameter of batch normalization is updated with backpropagation.
    """
    raise NotImplementedError("answer_h: replace this line with your solution (the docstring above says what to return)")
