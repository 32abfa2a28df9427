import Testing
import VLTensor
@testable import VLWorld

@Suite("rendering, geometry and layouts")
struct RendererTests {
    static func object(
        _ shape: ObjectShape = .circle, _ color: ObjectColor = .red, pattern: Pattern = .solid,
        x: Float = 0.5, y: Float = 0.5, radius: Float = 0.3
    ) -> SceneObject {
        SceneObject(shape: shape, color: color, pattern: pattern, size: .large, x: x, y: y, radius: radius)
    }

    static func pixel(_ pixels: [UInt8], size: Int, column: Int, row: Int) -> [UInt8] {
        let offset = (row * size + column) * 3
        return Array(pixels[offset..<(offset + 3)])
    }

    @Test("images have size² RGB bytes at any size", arguments: [8, 32, 48])
    func byteCount(size: Int) {
        let scene = World().pretrainingScene(index: 3)
        #expect(render(scene, size: size).count == size * size * 3)
    }

    @Test("a plain background without objects is uniform")
    func plainBackground() {
        let pixels = render(Scene(objects: [], background: .white), size: 16)
        for start in stride(from: 0, to: pixels.count, by: 3) {
            #expect(Array(pixels[start..<(start + 3)]) == [242, 242, 238])
        }
    }

    @Test("a solid disc has its color inside, background outside, blended edges and the right area")
    func antialiasedDisc() {
        let size = 32
        let pixels = render(Scene(objects: [RendererTests.object()], background: .white), size: size)
        #expect(RendererTests.pixel(pixels, size: size, column: 16, row: 16) == [220, 35, 35])
        #expect(RendererTests.pixel(pixels, size: size, column: 0, row: 0) == [242, 242, 238])
        // Coverage per pixel, read from the green channel (35 inside, 242 outside).
        let coverages = stride(from: 1, to: pixels.count, by: 3).map { Double(242 - Int(pixels[$0])) / 207 }
        let blended = coverages.filter { $0 > 0.02 && $0 < 0.98 }
        #expect(blended.count >= 30, "only \(blended.count) edge pixels are blended")
        let expectedArea = 3.14159265 * 0.9 * 0.3 * 0.3 * Double(size * size)
        let area = coverages.reduce(0, +)
        #expect(abs(area - expectedArea) < 0.02 * expectedArea, "area \(area), expected \(expectedArea)")
    }

    @Test("later objects are drawn on top of earlier ones")
    func drawingOrder() {
        let below = RendererTests.object(.square, .blue)
        let above = RendererTests.object(.circle, .yellow, radius: 0.1)
        let pixels = render(Scene(objects: [below, above], background: .gray), size: 32)
        #expect(RendererTests.pixel(pixels, size: 32, column: 16, row: 16) == [245, 220, 35])
        #expect(RendererTests.pixel(pixels, size: 32, column: 16, row: 9) == [35, 80, 230])
    }

    @Test("every shape stays inside its bounding square, fills a fair part of it, and differs from the others")
    func shapeGeometry() {
        let steps = 120
        func mask(_ shape: ObjectShape) -> [Bool] {
            (0..<(steps * steps)).map { cell in
                let u = -1.5 + 3 * (Float(cell % steps) + 0.5) / Float(steps)
                let v = -1.5 + 3 * (Float(cell / steps) + 0.5) / Float(steps)
                return shape.contains(u: u, v: v)
            }
        }
        let masks = ObjectShape.allCases.map(mask)
        for (shape, mask) in zip(ObjectShape.allCases, masks) {
            let inside = mask.indices.filter { mask[$0] }
            let escaping = inside.filter { cell in
                let u = -1.5 + 3 * (Float(cell % steps) + 0.5) / Float(steps)
                let v = -1.5 + 3 * (Float(cell / steps) + 0.5) / Float(steps)
                return abs(u) > 1 || abs(v) > 1
            }
            #expect(escaping.isEmpty, "\(shape) reaches outside [-1, 1]²")
            let fraction = Double(inside.count) / Double(steps * steps) * 9 / 4
            #expect(fraction > 0.25 && fraction < 0.85, "\(shape) fills \(fraction) of its square")
        }
        for first in masks.indices {
            for second in masks.indices where second > first {
                let differing = zip(masks[first], masks[second]).filter { $0 != $1 }.count
                let names = "\(ObjectShape.allCases[first]) and \(ObjectShape.allCases[second])"
                #expect(differing > steps * steps / 50, "\(names) are nearly the same")
            }
        }
    }

    @Test("every pattern but solid paints a second tone over a fair part of the object",
          arguments: Pattern.allCases)
    func patternsShowTwoTones(pattern: Pattern) {
        let size = 48
        let scene = Scene(
            objects: [RendererTests.object(.square, .green, pattern: pattern)], background: .white,
            textureSeed: 5)
        let pixels = render(scene, size: size)
        let primary: [UInt8] = [40, 165, 55]
        var interior: [[UInt8]] = []
        for row in 17..<31 {
            for column in 17..<31 {
                interior.append(RendererTests.pixel(pixels, size: size, column: column, row: row))
            }
        }
        let otherTone = Double(interior.filter { $0 != primary }.count) / Double(interior.count)
        if pattern == .solid {
            #expect(otherTone == 0)
        } else {
            #expect(otherTone > 0.15 && otherTone < 0.85, "second tone covers \(otherTone)")
        }
    }

    @Test("sketches draw outlines only, in the object's color, ignoring the pattern")
    func sketches() {
        let size = 32
        let solid = Scene(objects: [RendererTests.object()], background: .grass, domain: .sketch)
        var striped = solid
        striped.objects[0].pattern = .striped
        let pixels = render(solid, size: size)
        #expect(pixels == render(striped, size: size))
        let center = RendererTests.pixel(pixels, size: size, column: 16, row: 16)
        #expect(center.allSatisfy { $0 > 230 }, "center \(center) should be paper")
        // The disc's edge (radius √0.9 · 0.3 ≈ 0.285) crosses row 16 near column 6.9.
        let edge = (5...8).map { RendererTests.pixel(pixels, size: size, column: $0, row: 16) }
        #expect(edge.contains { Int($0[0]) - Int($0[1]) > 80 }, "no red stroke in \(edge)")
    }

    @Test("the noise domain perturbs pixels heavily around the clean image")
    func noise() {
        let clean = World(seed: 1).dataset(.shapes).scene(split: .test, index: 3)
        let cleanPixels = render(clean, size: 32)
        let noisyPixels = render(clean.rendered(in: .noise), size: 32)
        let differences = zip(cleanPixels, noisyPixels).map { Double(Int($0) - Int($1)) }
        let meanAbsolute = differences.map(abs).reduce(0, +) / Double(differences.count)
        #expect(meanAbsolute > 25, "mean absolute change \(meanAbsolute)")
        #expect(abs(differences.reduce(0, +) / Double(differences.count)) < 15)
    }

    @Test("the palette domain changes both object and background colors")
    func palette() {
        let scene = Scene(objects: [RendererTests.object()], background: .sky)
        let clean = render(scene, size: 32)
        let shifted = render(scene.rendered(in: .palette), size: 32)
        for (column, row) in [(16, 16), (0, 0)] {
            let before = RendererTests.pixel(clean, size: 32, column: column, row: row)
            let after = RendererTests.pixel(shifted, size: 32, column: column, row: row)
            #expect(before != after, "pixel (\(column), \(row))")
        }
    }

    @Test("layouts keep objects inside the image, apart, and where their position says")
    func layouts() {
        let world = World(seed: 13)
        for index in 0..<3_000 {
            let scene = world.pretrainingScene(index: index)
            for object in scene.objects {
                #expect(object.x - object.radius > -0.02 && object.x + object.radius < 1.02)
                #expect(object.y - object.radius > -0.02 && object.y + object.radius < 1.02)
            }
            for (first, a) in scene.objects.enumerated() {
                for b in scene.objects.dropFirst(first + 1) {
                    let distance = ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
                    #expect(distance > a.radius + b.radius, "objects overlap in pretraining scene \(index)")
                }
            }
            if let position = scene.position, let object = scene.objects.first {
                #expect(scene.count == 1)
                switch position {
                case .left: #expect(object.x < 0.4)
                case .right: #expect(object.x > 0.6)
                case .top: #expect(object.y < 0.4)
                case .bottom: #expect(object.y > 0.6)
                case .center: #expect(abs(object.x - 0.5) < 0.05 && abs(object.y - 0.5) < 0.05)
                }
            }
        }
    }

    @Test("large objects are larger than small ones in the same kind of layout")
    func sizes() {
        let world = World(seed: 17)
        var smallest: [Int: Float] = [:]
        var largest: [Int: Float] = [:]
        for index in 0..<2_000 {
            let scene = world.pretrainingScene(index: index)
            guard scene.isUniform, let object = scene.objects.first else { continue }
            if object.size == .small {
                largest[scene.count] = max(largest[scene.count] ?? 0, object.radius)
            } else {
                smallest[scene.count] = min(smallest[scene.count] ?? 1, object.radius)
            }
        }
        for count in 1...CountWord.maximum {
            #expect(largest[count]! < smallest[count]!, "count \(count)")
        }
    }

    @Test("image tensors are channels-first floats in [0, 1]")
    func tensors() {
        let size = 8
        let pixels = (0..<(size * size * 3)).map { UInt8($0 % 256) }
        let image = World.imageTensor(pixels: pixels, size: size)
        #expect(image.shape == [3, size, size])
        let values = image.array
        for (row, column, channel) in [(0, 0, 0), (2, 5, 1), (7, 7, 2)] {
            let expected = Float(pixels[(row * size + column) * 3 + channel]) / 255
            #expect(values[channel * size * size + row * size + column] == expected)
        }
        let batch = World.imageBatch([pixels, pixels.reversed()], size: size)
        #expect(batch.shape == [2, 3, size, size])
        #expect(Array(batch.array.prefix(3 * size * size)) == values)
        let dataset = World().dataset(.shapes)
        #expect(dataset.image(split: .test, index: 0).shape == [3, 32, 32])
        let (images, labels) = dataset.batch(split: .validation, indices: [0, 1, 2])
        #expect(images.shape == [3, 3, 32, 32])
        #expect(labels == [0, 1, 2])
    }
}
