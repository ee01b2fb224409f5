import Foundation

/// Turns the rows of a GLUE TSV file into `GLUEExample`s according to a task's `GLUEFileLayout`.
enum GLUEFileReader {
    /// Reads `url` as `split` of `task`.
    static func examples(task: any GLUETaskDefinition, split: GLUESplit, layout: GLUEFileLayout,
                         url: URL) throws -> [GLUEExample] {
        let rows = try TSVFile.read(url)
        return try examples(task: task, split: split, layout: layout, rows: rows, path: url.path)
    }

    /// Converts already split `rows` (all lines, the header included) of the file `path`.
    static func examples(task: any GLUETaskDefinition, split: GLUESplit, layout: GLUEFileLayout,
                         rows: [TSVRow], path: String) throws -> [GLUEExample] {
        let what = "\(task.displayName) \(split.name)"
        let needed = minimumFieldCount(layout)
        var dataRows = rows[...]
        var headerCount: Int? = nil

        if layout.hasHeader {
            guard let header = rows.first else {
                throw GLUEError(.missingHeader, file: path,
                                "file is empty; the \(what) file must start with a header line")
            }
            let count = header.fields.count
            let headerFits: Bool
            switch layout.fieldCount {
            case .exactly(let expected): headerFits = count == expected
            case .atLeast(let minimum), .sameAsHeader(let minimum): headerFits = count >= minimum
            }
            guard headerFits else {
                throw GLUEError(.wrongFieldCount, file: path, line: header.line,
                                "header has \(count) tab-separated field\(count == 1 ? "" : "s"), "
                                + "the \(what) layout needs \(layout.fieldCount.expectation(headerCount: nil))")
            }
            headerCount = count
            dataRows = rows.dropFirst()
        }

        var examples: [GLUEExample] = []
        examples.reserveCapacity(dataRows.count)
        for row in dataRows {
            let fields = row.fields
            guard layout.fieldCount.accepts(fields.count, headerCount: headerCount), fields.count >= needed else {
                if layout.malformedRows == .skip { continue }
                throw GLUEError(.wrongFieldCount, file: path, line: row.line,
                                "row has \(fields.count) tab-separated field\(fields.count == 1 ? "" : "s"), "
                                + "expected \(layout.fieldCount.expectation(headerCount: headerCount)) "
                                + "for the \(what) file")
            }
            let textA = fields[layout.textA.position(inRowOf: fields.count)]
            let textB = layout.textB.map { fields[$0.position(inRowOf: fields.count)] }
            let genre = layout.genre.map { fields[$0.position(inRowOf: fields.count)] }
            var label: LabelValue? = nil
            if let labelColumn = layout.label {
                let text = fields[labelColumn.column.position(inRowOf: fields.count)]
                label = try parseLabel(text, kind: labelColumn, task: task, path: path, line: row.line)
            }
            let index = examples.count
            examples.append(GLUEExample(guid: "\(split.name)-\(index)", index: index, line: row.line,
                                        textA: textA, textB: textB, label: label, genre: genre))
        }
        return examples
    }

    /// The number of fields a row needs for every column of `layout` to exist.
    static func minimumFieldCount(_ layout: GLUEFileLayout) -> Int {
        var needed = layout.textA.minimumFieldCount
        if let textB = layout.textB { needed = max(needed, textB.minimumFieldCount) }
        if let label = layout.label { needed = max(needed, label.column.minimumFieldCount) }
        if let genre = layout.genre { needed = max(needed, genre.minimumFieldCount) }
        return needed
    }

    private static func parseLabel(_ text: String, kind: GLUELabelColumn, task: any GLUETaskDefinition,
                                   path: String, line: Int) throws -> LabelValue {
        switch kind {
        case .classLabel:
            guard let index = task.labels.firstIndex(of: text) else {
                let allowed = task.labels.map { "\"\($0)\"" }.joined(separator: ", ")
                throw GLUEError(.unknownLabel, file: path, line: line,
                                "label \"\(text)\" is not one of the \(task.displayName) labels \(allowed)")
            }
            return .classIndex(index)
        case .score:
            // Python's float() ignores surrounding whitespace; nothing else is lenient here.
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value.isFinite else {
                throw GLUEError(.invalidScore, file: path, line: line,
                                "score \"\(text)\" is not a finite decimal number")
            }
            return .score(value)
        }
    }
}
