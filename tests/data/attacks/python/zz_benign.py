# A well-behaved program that runs after the attacks in the same job: it must run as usual, and the
# image it writes must be collected as its figure.
from PIL import Image, ImageDraw

squares = [n * n for n in range(10)]
print("sum of squares:", sum(squares))
image = Image.new("RGB", (200, 120), "white")
ImageDraw.Draw(image).line([(20 * n, 110 - s) for n, s in enumerate(squares)], fill="#2563eb", width=3)
image.save("squares.png")
