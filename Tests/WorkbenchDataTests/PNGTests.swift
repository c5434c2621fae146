// PNG writing and reading through libpng, the batch grid layout, and plots/heat maps that must
// render for awkward inputs.
import Foundation
import Testing
import WorkbenchData
import WorkbenchTesting

@Suite struct PNGTests {
    @Test func grayAndRGBRoundTrip() throws {
        let dir = TempDirectory()
        let gray = Bitmap(width: 7, height: 5, channels: 1, pixels: (0..<35).map { UInt8($0 * 7) })
        try gray.writePNG(to: dir.file("g.png"))
        #expect(try Bitmap.readPNG(dir.file("g.png")) == gray)
        let rgb = Bitmap(width: 3, height: 4, channels: 3, pixels: (0..<36).map { UInt8(($0 * 37) % 256) })
        try rgb.writePNG(to: dir.file("c.png"))
        let back = try Bitmap.readPNG(dir.file("c.png"))
        #expect(back == rgb && back.pixel(x: 2, y: 1) == rgb.pixel(x: 2, y: 1))
        // The PNG signature is on disk and no temporary file is left behind.
        #expect(Array(try readFileBytes(dir.file("c.png")).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["c.png", "g.png"])
    }

    @Test func badPNGsAreErrors() {
        let dir = TempDirectory()
        let junk = dir.write("junk.png", Array("not a png at all".utf8))
        #expect(dataError { _ = try Bitmap.readPNG(junk) }?.reason.contains("not a readable PNG") == true)
        #expect(dataError { _ = try Bitmap.readPNG(dir.file("none.png")) }?.reason == "no such file")
        let img = Bitmap(width: 20, height: 20, fill: [9, 99, 199])
        try! img.writePNG(to: dir.file("ok.png"))
        let bytes = try! readFileBytes(dir.file("ok.png"))
        let cut = dir.write("cut.png", Array(bytes.prefix(bytes.count - 20)))
        #expect(dataError { _ = try Bitmap.readPNG(cut) } != nil)
        #expect(dataError { try img.writePNG(to: dir.file("no/such/dir/x.png")) } != nil)
    }

    @Test func gridLayout() {
        // Three 2x2 greyscale images, values -1 (black), 0 (mid grey), 1 (white), two per row.
        let x = Tensor(shape: [3, 1, 2, 2], data: [-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1])
        let g = ImageGrid.make(x, nrow: 2, padding: 1, range: -1...1, padValue: 77)
        // Width 2 * (2 + 1) + 1 = 7, height 2 * (2 + 1) + 1 = 7.
        #expect(g.width == 7 && g.height == 7 && g.channels == 1)
        let expected: [[UInt8]] = [
            [77, 77, 77, 77, 77, 77, 77],
            [77, 0, 0, 77, 128, 128, 77],
            [77, 0, 0, 77, 128, 128, 77],
            [77, 77, 77, 77, 77, 77, 77],
            [77, 255, 255, 77, 77, 77, 77],
            [77, 255, 255, 77, 77, 77, 77],
            [77, 77, 77, 77, 77, 77, 77],
        ]
        #expect(g.pixels == expected.flatMap { $0 })
        // RGB keeps channel order; out-of-range values clamp.
        let rgb = ImageGrid.make(Tensor(shape: [1, 3, 1, 1], data: [2, 0.5, -3]), padding: 0, range: 0...1)
        #expect(rgb.pixels == [255, 128, 0])
    }

    @Test func plotsRenderForEdgeCases() throws {
        let dir = TempDirectory()
        let cases: [(String, [PlotSeries])] = [
            ("single", [PlotSeries("one", y: [0.5])]),
            ("constant", [PlotSeries("flat", y: [2, 2, 2, 2])]),
            ("zero", [PlotSeries("zero", y: [0, 0])]),
            ("nan", [PlotSeries("gaps", x: [1, 2, 3, 4, 5], y: [1, .nan, 3, .infinity, 2])]),
            ("empty", [PlotSeries("nothing", y: []), PlotSeries("", y: [])]),
            ("none", []),
            ("huge", [PlotSeries("big", y: [1e9, 3e9]), PlotSeries("tiny", y: [1e-9, 2e-9])]),
        ]
        for (name, series) in cases {
            let plot = LinePlot(title: name, xLabel: "epoch", yLabel: "loss", series: series)
            try plot.writePNG(to: dir.file("\(name).png"))
            let back = try Bitmap.readPNG(dir.file("\(name).png"))
            #expect(back.width == 800 && back.height == 500 && back.channels == 3)
        }
        // A fixed range clips lines that leave it, and non-finite values draw nothing.
        let clipped = LinePlot(series: [PlotSeries("acc", y: [-5, 0.5, 7])], yRange: 0...1, width: 300, height: 200).render()
        #expect(clipped.width == 300)
        let nanOnly = LinePlot(series: [PlotSeries("", y: [.nan, .nan])], width: 300, height: 200).render()
        let blank = LinePlot(series: [], width: 300, height: 200).render()
        #expect(nanOnly == blank)
    }

    @Test func plotDrawsSeriesInTheirColours() {
        let plot = LinePlot(title: "Loss", series: [PlotSeries("train", y: [3, 2, 1.5, 1]), PlotSeries("test", y: [3.2, 2.5, 2.2, 2.1])])
        let img = plot.render()
        func count(_ c: Color) -> Int {
            stride(from: 0, to: img.pixels.count, by: 3).filter { img.pixels[$0] == c.r && img.pixels[$0 + 1] == c.g && img.pixels[$0 + 2] == c.b }.count
        }
        #expect(count(Color.palette[0]) > 500 && count(Color.palette[1]) > 500)
        #expect(count(Color.palette[2]) == 0)
    }

    @Test func niceTicks() {
        let a = PlotAxis(fitting: [0.13, 2.71], fixed: nil)
        #expect(a.step == 0.5 && a.ticks == [0, 0.5, 1, 1.5, 2, 2.5, 3])
        #expect(a.ticks.map { a.label($0) } == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        let b = PlotAxis(fitting: [1, 60000], fixed: nil)
        #expect(b.step == 10000 && b.label(20000) == "20000")
        let fixed = PlotAxis(fitting: [0.3], fixed: 0...1)
        #expect(fixed.low == 0 && fixed.high == 1 && fixed.ticks.first == 0 && fixed.ticks.last == 1)
    }

    @Test func confusionMatrix() throws {
        var m = ConfusionMatrix(classNames: ["T-shirt/top", "Trouser", "Bag"])
        m.add(predictions: IndexTensor([0, 1, 2, 2, 0, 1]), targets: IndexTensor([0, 1, 2, 0, 0, 2]))
        #expect(m.counts == [[2, 0, 1], [0, 1, 0], [0, 1, 1]])
        #expect(m.total == 6 && abs(m.accuracy - 4.0 / 6) < 1e-12)
        #expect(m.perClassRecall[1] == 1)
        let dir = TempDirectory()
        try m.writePNG(to: dir.file("cm.png"))
        let img = try Bitmap.readPNG(dir.file("cm.png"))
        #expect(img.channels == 3 && img.width > 3 * 48)
    }

    /// A write that cannot happen names the path and the system's reason (it used to say "Write Error").
    @Test func failedWriteNamesPathAndReason() {
        let bitmap = Bitmap(width: 2, height: 2, channels: 1, pixels: [0, 1, 2, 3])
        do {
            try bitmap.writePNG(to: "/nonexistent-directory/x.png")
            Issue.record("a PNG was written into a missing directory")
        } catch {
            #expect("\(error)".contains("/nonexistent-directory/x.png") && "\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    /// A 16-bit PNG keeps its stored values (v / 257): the same picture in 8 and in 16 bits reads the
    /// same. libpng's simplified reader treats 16-bit data as linear light and would gamma-encode it.
    @Test func sixteenBitGreyKeepsItsValues() throws {
        let eight = try Bitmap.readPNG(repositoryRoot + "/Tests/Fixtures/png/grey8.png")
        let sixteen = try Bitmap.readPNG(repositoryRoot + "/Tests/Fixtures/png/grey16.png")
        #expect(sixteen.channels == 1 && sixteen.width == 16 && sixteen.height == 3)
        #expect(sixteen.pixels == eight.pixels, "\(sixteen.pixels.prefix(16)) vs \(eight.pixels.prefix(16))")
    }
}
