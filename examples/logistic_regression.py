"""Multiclass logistic regression trained by minibatch SGD, written as the
Theano tutorial writes it (deeplearning.net's logreg.py), on the scikit-learn
digits. Run: python examples/logistic_regression.py [--epochs N]"""

import argparse
import time

import numpy as np

import theanogo as theano
import theanogo.tensor as T
from digits_data import N_CLASSES, load_data


class LogisticRegression:
    """p(y | x) = softmax(x W + b); the prediction is the most likely class."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(np.zeros((n_in, n_out), dtype=theano.config.floatX), name="W", borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        """Mean of -log p(correct class): T.arange(n), y picks row i's entry y[i]."""
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        """The fraction of misclassified examples."""
        return T.mean(T.neq(self.y_pred, y))


def sgd_optimization_digits(learning_rate=0.5, n_epochs=30, batch_size=20):
    (train_x, train_y), (test_x, test_y) = load_data()
    n_train_batches = train_x.get_value(borrow=True).shape[0] // batch_size

    print("... building the model")
    index = T.lscalar()  # index to a minibatch
    x = T.matrix("x")
    y = T.ivector("y")  # labels, presented as a 1D vector of int labels

    classifier = LogisticRegression(input=x, n_in=64, n_out=N_CLASSES)
    cost = classifier.negative_log_likelihood(y)

    test_model = theano.function([], classifier.errors(y), givens={x: test_x, y: test_y})
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]
    batch = slice(index * batch_size, (index + 1) * batch_size)
    train_model = theano.function(
        inputs=[index], outputs=cost, updates=updates,
        givens={x: train_x[batch], y: train_y[batch]})
    print(f"backend: {train_model.maker.describe_backend()}")

    print("... training the model")
    start = time.time()
    for epoch in range(1, n_epochs + 1):
        costs = [train_model(i) for i in range(n_train_batches)]
        print(f"epoch {epoch:3d}, minibatch cost {np.mean(costs):.4f}, test error {100 * float(test_model()):.2f} %")
    accuracy = 1.0 - float(test_model())
    print(f"training took {time.time() - start:.3f}s")
    print(f"final test accuracy {100 * accuracy:.2f} %")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    sgd_optimization_digits(n_epochs=parser.parse_args().epochs)
