import XCTest
@testable import DeBERTa
final class DeBERTaPlaceholderTests: XCTestCase { func testModuleLinks() {} }
