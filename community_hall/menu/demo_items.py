"""Demo service menus (服务清单) for the three communities of 和平街道: 杨柳社区, 清河社区, 锦绣社区.

Pure data in the import columns of menu/services.py (COLUMNS); every value goes through clean_item, so the
vocabulary is that of glossary.ALIASES: time_unit workdays/hours, channels window/online/appointment/home_visit/
proxy/self_service, fee_kind free/low_cost/paid, duty_list self_governance/assisted_government, provider
station/volunteers/partner. Materials are `name | 原件/复印件/原件和复印件 | note`, one per line (no ';' or '；'
inside a line: parse_materials splits on them). time_limit 0 means handled on the spot (当场办结).

The station itself charges nothing (seed 004 §七); only services of partners (家政公司, 老年食堂, 托育机构)
are paid or low-cost, and their fee_note says who is paid. Where the station only receives an application
that a street office or district bureau decides, time_limit is the station's own part and the description
says what happens after.

Run `python -m community_hall.menu.demo_items` to check every item against clean_item.
"""

from __future__ import annotations

POSTS = [  # the posts (岗位) of a station: code, name, window
    {"code": "DJ", "name": "党员服务岗（党建·志愿服务）", "window": "1号窗口"},
    {"code": "SB", "name": "劳动就业社会保障岗", "window": "2号窗口"},
    {"code": "SW", "name": "社会事务岗（民政·残联·老龄·退役军人）", "window": "3号窗口"},
    {"code": "WJ", "name": "卫生计生岗", "window": "4号窗口"},
    {"code": "ZZ", "name": "综治维稳岗（人民调解·法律服务）", "window": "5号窗口（调解室）"},
    {"code": "BM", "name": "便民服务岗", "window": "6号窗口"},
    {"code": "ZH", "name": "综合受理岗（首问导办·代办）", "window": "导办台"},
]

BASE_ITEMS = [
    # ------------------------------------------------------------------ 生活信息
    {
        "code": "SH-001", "name": "政策咨询与办事导引", "category": "生活信息",
        "description": ("不知道某件事该去哪里办、要带什么材料，先到导办台问。首问工作人员负责解答或指引到对应窗口，"
                        "不属于社区办理的事项，告知办理部门、地址、电话和所需材料，做到一次告知清楚。"),
        "qualifications": "本社区居民及辖区单位均可咨询，无条件限制。",
        "materials": "",
        "steps": ("1. 到导办台、打电话或在线留言说明要办的事\n"
                  "2. 首问工作人员登记并当场解答\n"
                  "3. 需要其他窗口办理的，由首问工作人员引导或转交，并跟进到有答复为止\n"
                  "4. 不属于社区办理的，告知办理部门和所需材料，可提供书面办事指南"),
        "time_limit": 0, "time_unit": "workdays", "post": "ZH",
        "channels": "window,online,appointment", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "咨询,政策咨询,办事指南,怎么办,去哪办,导办",
    },
    {
        "code": "SH-002", "name": "便民服务信息查询", "category": "生活信息",
        "description": ("提供经社区核实的便民服务信息：公安备案的开锁服务、家电维修、管道疏通、搬家、再生资源回收等"
                        "联系方式；停水、停电、停气通知；社区卫生服务站、药店、菜市场等周边设施。"
                        "社区只提供信息，不为商户收费或担保，服务中发生纠纷可到调解室申请调解。"),
        "qualifications": "本社区居民均可查询。",
        "materials": "",
        "steps": ("1. 在服务大厅公告栏、本平台或窗口查询\n"
                  "2. 找不到需要的服务，可请窗口工作人员帮忙查找\n"
                  "3. 对商户服务有意见，可向社区反映，经核实的将移出信息名单"),
        "time_limit": 0, "time_unit": "workdays", "post": "BM",
        "channels": "window,online,self_service", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "便民电话,开锁,通下水,管道疏通,停水,停电,家电维修",
    },
    {
        "code": "SH-003", "name": "大件垃圾预约清运", "category": "生活信息",
        "description": ("旧家具、旧床垫、旧家电等大件垃圾不能随意堆放在楼道或垃圾桶旁。预约后由小区物业或环卫清运"
                        "单位在约定时间上门或到指定堆放点收运。装修垃圾须袋装后放到指定点，按物业规定清运。"),
        "qualifications": "本社区居民。",
        "materials": "",
        "steps": ("1. 在线或到窗口预约，说明物品种类、数量和楼号\n"
                  "2. 社区将预约转给物业或清运单位\n"
                  "3. 48小时内约定清运时间并清运\n"
                  "4. 居民确认清运完成"),
        "time_limit": 48, "time_unit": "hours", "post": "BM",
        "channels": "window,online,appointment", "fee_kind": "free",
        "fee_note": "大件生活垃圾清运免费，装修垃圾清运按物业服务企业公示标准收费，不属于本项。",
        "duty_list": "self_governance", "provider": "partner", "provider_name": "小区物业服务企业、和平街道环卫所",
        "keywords": "大件垃圾,旧家具,旧沙发,垃圾清运,装修垃圾,垃圾分类",
    },
    # ------------------------------------------------------------------ 证照办理
    {
        "code": "ZJ-001", "name": "开具居住证明", "category": "证照办理",
        "description": ("为实际居住在本社区的居民出具居住情况证明，用于子女入学、申领居住证等有关部门明确要求社区"
                        "证明的情形。能用不动产权证书、已备案的租赁合同等直接证明居住的，按“减证便民”要求无需"
                        "再开社区证明，工作人员会先帮您确认是否需要。"),
        "qualifications": ("在本社区实际居住的居民，本地户籍或非本地户籍均可。\n"
                           "居住情况须经社区核实属实（可通过网格员走访、房屋信息核对等方式核实）。"),
        "materials": ("居民身份证 | 原件 | 本人办理\n"
                      "户口簿 | 原件 | 本地户籍居民提供\n"
                      "不动产权证书或房屋租赁合同 | 原件和复印件 | 租房居住的提供租赁合同\n"
                      "需求部门的格式要求 | 原件 | 如学校、派出所等要求统一格式，请一并带来\n"
                      "委托书和代办人身份证 | 原件 | 委托他人代办时提供"),
        "steps": ("1. 到窗口提出申请，说明证明用途\n"
                  "2. 查验材料，核对居住信息（必要时由网格员入户核实）\n"
                  "3. 出具居住证明并加盖社区印章\n"
                  "4. 登记存档"),
        "time_limit": 1, "time_unit": "workdays", "post": "ZH",
        "channels": "window,online,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "居住证明,住址证明,开证明,实际居住证明,入学证明",
    },
    {
        "code": "ZJ-002", "name": "社区证明（其他）", "category": "证照办理",
        "description": ("出具属于社区证明事项清单、并且社区能够核实的其他证明，如家庭成员共同居住情况等。"
                        "法律法规没有规定由社区出具的证明（如亲属关系、无犯罪记录、出生时间、健在证明等）"
                        "社区不予出具，工作人员会告知正确的办理部门和途径。"),
        "qualifications": "本社区居民，证明事项在社区证明事项清单内，且内容经社区核实属实。",
        "materials": ("居民身份证 | 原件 | 本人办理\n"
                      "需求部门要求出具证明的书面依据或格式 | 原件 | 有则提供\n"
                      "与证明事项相关的材料 | 原件和复印件 | 按事项不同，工作人员一次性告知"),
        "steps": ("1. 到窗口说明需要证明的事项和用途\n"
                  "2. 工作人员确认是否属于社区证明事项清单\n"
                  "3. 核实情况\n"
                  "4. 出具证明并盖章，或书面告知不予出具的理由和正确办理途径"),
        "time_limit": 1, "time_unit": "workdays", "post": "ZH",
        "channels": "window,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "开证明,社区证明,证明,盖章,共同居住证明",
    },
    {
        "code": "ZJ-003", "name": "老年人优待证办理", "category": "证照办理",
        "description": ("为60周岁以上老年人办理老年人优待证（老年证）。凭证可按本地规定享受公园、景区门票减免，"
                        "65周岁以上免费乘坐市内公交等优待。已开通电子老年人优待证的地区，可在政务服务App"
                        "自助申领电子证。"),
        "qualifications": "年满60周岁的本市户籍老年人，以及在本市居住的非本市户籍老年人（按本地规定）。",
        "materials": ("居民身份证 | 原件 | 本人或代办人携带\n"
                      "近期一寸免冠彩色照片 | 原件 | 1张，窗口也可现场拍照\n"
                      "居住证 | 原件 | 非本市户籍老年人提供\n"
                      "代办人身份证 | 原件 | 家属代办时提供"),
        "steps": ("1. 到窗口申请，或由家属代办\n"
                  "2. 核验身份、采集照片和信息\n"
                  "3. 报送制证\n"
                  "4. 社区通知领证，行动不便的可送证上门"),
        "time_limit": 3, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,home_visit,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "老年证,老年人优待证,敬老卡,老年卡,免费乘车,老人公交卡",
    },
    {
        "code": "ZJ-004", "name": "残疾人证办理协助", "category": "证照办理",
        "description": ("协助申请、换领、补领《中华人民共和国残疾人证》（第三代智能化残疾人证）。社区代为受理并报送"
                        "街道残联，区残联安排到指定医疗机构进行残疾评定，审核后核发。也可通过全国残疾人证网上申领"
                        "平台自行申请。社区部分1个工作日内报送，评定和发证时限以区残联公布为准。"),
        "qualifications": ("视力、听力、言语、肢体、智力、精神残疾或多重残疾，符合国家残疾评定标准的本社区户籍居民。\n"
                           "未成年人和智力、精神残疾人由监护人代为申请。"),
        "materials": ("居民身份证或户口簿 | 原件和复印件 | 未满16周岁的提供户口簿\n"
                      "近期二寸免冠白底彩色照片 | 原件 | 3张，部分地区可现场采集\n"
                      "残疾人证申请表 | 原件 | 窗口提供，可帮助填写\n"
                      "病历、诊断证明等医疗资料 | 复印件 | 有则提供，便于评定\n"
                      "监护人身份证和监护关系证明 | 原件和复印件 | 监护人代办时提供\n"
                      "原残疾人证 | 原件 | 换领时提供，遗失补领的无需提供"),
        "steps": ("1. 到窗口提交申请，行动不便的可申请上门受理\n"
                  "2. 社区核对材料，1个工作日内报送街道残联\n"
                  "3. 区残联审核，安排到指定医疗机构评定（行动不便的可申请上门评定）\n"
                  "4. 区残联审核评定结果并公示\n"
                  "5. 核发残疾人证，社区通知领取或送证上门"),
        "time_limit": 1, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,home_visit,proxy", "fee_kind": "free",
        "fee_note": "办证不收费。",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "残疾人证,残疾证,办残疾证,评残,残联,换证",
    },
    {
        "code": "ZJ-005", "name": "生育登记服务", "category": "证照办理",
        "description": ("为夫妻办理生育登记（一孩、二孩、三孩均实行登记服务，不需审批），登记信息用于孕产期保健、"
                        "生育保险和生育津贴等服务衔接。也可在本省政务服务App或小程序自助登记。同时提供计划生育"
                        "政策咨询。"),
        "qualifications": "户籍或现居住地在本社区的夫妻，计划生育或已经生育子女的（按本省规定）。",
        "materials": ("夫妻双方居民身份证 | 原件 | \n"
                      "结婚证 | 原件 | 本省已取消婚姻条件的无需提供\n"
                      "户口簿 | 原件 | 在户籍地登记的提供\n"
                      "子女出生医学证明 | 复印件 | 已经生育的提供"),
        "steps": ("1. 到窗口或在线提交登记信息\n"
                  "2. 工作人员核对信息\n"
                  "3. 录入系统，当场出具生育登记凭证（电子或纸质）"),
        "time_limit": 0, "time_unit": "workdays", "post": "WJ",
        "channels": "window,online,self_service", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "生育登记,准生证,生育服务证,二孩,三孩,计划生育,怀孕建档",
    },
    {
        "code": "ZJ-006", "name": "流动人口居住登记", "category": "证照办理",
        "description": ("来本社区居住的非本市户籍人员，按本地规定时限申报居住登记。社区协助采集信息；居住满半年、"
                        "有合法稳定就业、合法稳定住所或连续就读之一的，可到辖区公安派出所申领居住证，"
                        "社区告知申领材料。"),
        "qualifications": "在本社区居住的非本市户籍人员，以及出租房屋的房东（协助租客登记）。",
        "materials": ("居民身份证 | 原件 | \n"
                      "房屋租赁合同或不动产权证书 | 原件和复印件 | 租房的提供租赁合同\n"
                      "劳动合同、营业执照或就读证明 | 复印件 | 准备申领居住证的提供"),
        "steps": ("1. 到窗口或在线申报\n"
                  "2. 网格员核实居住情况\n"
                  "3. 录入流动人口信息系统，当场完成登记\n"
                  "4. 符合居住证申领条件的，告知到派出所申领"),
        "time_limit": 0, "time_unit": "workdays", "post": "ZZ",
        "channels": "window,online", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "居住证,暂住证,流动人口,租房登记,居住登记,外地人",
    },
    # ------------------------------------------------------------------ 社会保障
    {
        "code": "SB-001", "name": "最低生活保障申请", "category": "社会保障",
        "description": ("为家庭人均收入低于当地城市低保标准、且家庭财产状况符合规定的家庭按月发放最低生活保障金。"
                        "社区负责受理、入户调查和公示，5个工作日内完成社区部分并报街道；街道办事处审核确认，"
                        "一般在受理之日起30个工作日内办结，批准后按月发放。"),
        "qualifications": ("1. 申请人具有本市户籍并在本社区居住，或持本市居住证在本社区居住满一年（按本地规定）；\n"
                           "2. 共同生活的家庭成员月人均收入低于当地城市最低生活保障标准；\n"
                           "3. 家庭存款、有价证券、机动车辆、房产等财产状况符合当地低保家庭财产认定规定；\n"
                           "4. 共同生活的家庭成员包括配偶、未成年子女、共同生活的父母和已成年但不能独立生活的子女等。"),
        "materials": ("最低生活保障申请书 | 原件 | 窗口免费提供，可帮助填写\n"
                      "全部家庭成员居民身份证 | 原件和复印件 | \n"
                      "户口簿 | 原件和复印件 | \n"
                      "居住证 | 原件和复印件 | 非本市户籍申请人提供\n"
                      "婚姻状况证明 | 原件和复印件 | 结婚证，或离婚证及离婚协议、判决书\n"
                      "家庭成员收入证明 | 原件 | 在职人员由单位出具，无固定收入的填写收入申报承诺书\n"
                      "家庭经济状况核对授权书 | 原件 | 全部成年家庭成员签字\n"
                      "残疾人证或病历、诊断证明 | 原件和复印件 | 因残、因病申请的提供\n"
                      "本人银行卡或社会保障卡 | 复印件 | 用于发放低保金"),
        "steps": ("1. 申请：到窗口提交，行动不便的可委托代办或预约上门受理\n"
                  "2. 受理：材料齐全当场受理，不齐的一次性告知需补正的材料\n"
                  "3. 入户调查：社区会同街道工作人员入户核实家庭情况\n"
                  "4. 经济状况核对：街道提请区民政局核对存款、车辆、房产等信息\n"
                  "5. 公示：调查结果在社区公示栏公示7天\n"
                  "6. 审核确认：街道办事处审核确认，不符合条件的书面告知理由\n"
                  "7. 发放：批准后按月发放到本人账户，并定期复核"),
        "time_limit": 5, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,home_visit,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "低保,最低生活保障,低保金,社会救助,困难家庭,救助",
    },
    {
        "code": "SB-002", "name": "就业登记", "category": "社会保障",
        "description": ("为已经实现灵活就业或自主创业的本社区居民办理就业登记（单位招用的人员由用人单位办理）。"
                        "登记后可按规定享受社会保险补贴、创业扶持等政策。也可在本地人社网上服务大厅或手机App办理。"),
        "qualifications": "年满16周岁至法定退休年龄、已经实现就业的本社区常住居民，包括灵活就业人员和个体经营者。",
        "materials": ("居民身份证或社会保障卡 | 原件 | \n"
                      "营业执照 | 复印件 | 个体经营者提供\n"
                      "灵活就业情况说明 | 原件 | 窗口提供表格，写明从事的工作和开始时间"),
        "steps": ("1. 到窗口或网上提交\n"
                  "2. 工作人员核验信息\n"
                  "3. 录入人社就业信息系统，当场办结"),
        "time_limit": 0, "time_unit": "workdays", "post": "SB",
        "channels": "window,online", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "就业,就业登记,灵活就业登记,就业创业证,个体户,上岗",
    },
    {
        "code": "SB-003", "name": "失业登记", "category": "社会保障",
        "description": ("为处于无业状态、有就业意愿的居民办理失业登记。登记后可获得免费的职业介绍、职业指导和职业"
                        "技能培训，符合条件的可申领失业保险金（由区社保经办机构办理）。也可在网上或手机App办理。"),
        "qualifications": ("年满16周岁至法定退休年龄、有劳动能力、有就业要求、处于无业状态的城镇常住人员。\n"
                           "本市户籍和持居住证的常住人员均可在常住地登记。"),
        "materials": ("居民身份证或社会保障卡 | 原件 | \n"
                      "解除或终止劳动合同证明 | 原件和复印件 | 有则提供，申领失业保险金时需要\n"
                      "居住证 | 原件 | 非本市户籍的提供"),
        "steps": ("1. 到窗口或网上提交\n"
                  "2. 核验身份和就业状态\n"
                  "3. 录入系统，发放就业创业证（电子证）\n"
                  "4. 登记求职意愿，推荐岗位和培训，定期联系跟进"),
        "time_limit": 0, "time_unit": "workdays", "post": "SB",
        "channels": "window,online", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "失业,下岗,失业保险金,失业金,找工作,就业创业证",
    },
    {
        "code": "SB-004", "name": "城乡居民医保参保登记", "category": "社会保障",
        "description": ("为未参加职工医保的居民办理城乡居民基本医疗保险参保登记。每年集中缴费期（一般为9月至12月）"
                        "缴费的，次年1月1日起享受待遇；新生儿出生后90天内参保缴费的，自出生之日起享受待遇。"
                        "低保、特困、重度残疾等人员的个人缴费按规定由财政资助。"),
        "qualifications": ("未参加职工基本医疗保险的本市户籍居民（含学生、儿童、新生儿），"
                           "以及持本市居住证的非本市户籍居民。"),
        "materials": ("居民身份证或户口簿 | 原件 | 新生儿凭出生医学证明和户口簿\n"
                      "居住证 | 原件 | 非本市户籍居民提供\n"
                      "低保、特困、残疾人等身份证明 | 原件 | 享受缴费资助的提供"),
        "steps": ("1. 到窗口或在医保服务平台登记参保\n"
                  "2. 核验信息，当场完成登记\n"
                  "3. 通过税务缴费渠道（微信、支付宝、银行）缴纳个人部分\n"
                  "4. 缴费后按期享受医保待遇"),
        "time_limit": 0, "time_unit": "workdays", "post": "SB",
        "channels": "window,online,proxy", "fee_kind": "free",
        "fee_note": "服务站办理不收费。个人缴费按当年标准通过税务缴费渠道缴纳，不在服务站收取。",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "医保,医疗保险,居民医保,城乡居民医保,新农合,参保,交医保",
    },
    {
        "code": "SB-005", "name": "灵活就业人员社会保险补贴申请", "category": "社会保障",
        "description": ("就业困难人员实现灵活就业并缴纳社会保险费的，可按规定申请社会保险补贴。社区受理并初审，"
                        "3个工作日内报街道劳动保障所，区人社局审核、公示后发放。补贴期限一般不超过3年，"
                        "距法定退休年龄不足5年的可延长至退休。"),
        "qualifications": ("1. 经认定的就业困难人员（如大龄失业人员、零就业家庭成员、低保家庭成员、残疾人等）；\n"
                           "2. 已在本社区办理灵活就业登记；\n"
                           "3. 以灵活就业人员身份按时缴纳了基本养老保险、基本医疗保险费。"),
        "materials": ("居民身份证 | 原件和复印件 | \n"
                      "就业创业证 | 原件 | 或电子证，载有就业困难人员认定信息\n"
                      "社会保险缴费凭证 | 原件 | 可在电子税务局或社保App打印\n"
                      "社会保障卡或本人银行卡 | 复印件 | 用于发放补贴"),
        "steps": ("1. 按季度或半年到窗口提交申请\n"
                  "2. 社区初审，3个工作日内报街道劳动保障所\n"
                  "3. 区人社局审核并公示\n"
                  "4. 补贴发放到本人账户"),
        "time_limit": 3, "time_unit": "workdays", "post": "SB",
        "channels": "window,online,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "社保补贴,灵活就业补贴,4050,就业困难人员,养老保险补贴",
    },
    {
        "code": "SB-006", "name": "养老金领取资格认证协助", "category": "社会保障",
        "description": ("领取养老金的人员（职工养老保险、城乡居民养老保险）需按规定完成领取资格认证。可用国家社会"
                        "保险公共服务平台、电子社保卡或本地人社App刷脸认证；不会操作的可到窗口由工作人员协助，"
                        "卧床或行动不便的可预约上门认证。"),
        "qualifications": "在本社区居住的养老金领取人员。",
        "materials": ("居民身份证或社会保障卡 | 原件 | \n"
                      "代办人身份证 | 原件 | 家属代为预约上门认证时提供"),
        "steps": ("1. 到窗口或预约上门\n"
                  "2. 工作人员协助刷脸认证\n"
                  "3. 当场告知认证结果"),
        "time_limit": 0, "time_unit": "workdays", "post": "SB",
        "channels": "window,appointment,home_visit,self_service", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "养老金认证,资格认证,刷脸认证,退休金,生存认证",
    },
    # ------------------------------------------------------------------ 福利救助
    {
        "code": "FL-001", "name": "临时救助申请", "category": "福利救助",
        "description": ("对遭遇突发事件、意外伤害、重大疾病或其他特殊原因导致基本生活暂时陷入困境的家庭或个人，给予"
                        "临时救助。急难情况可先行救助、事后补齐手续。社区受理和调查在3个工作日内完成并报街道，"
                        "街道审批（超过街道审批额度的报区民政局）。"),
        "qualifications": ("1. 急难型：因火灾、交通事故、突发重大疾病等意外事件，家庭基本生活暂时出现严重困难的；\n"
                           "2. 支出型：因教育、医疗等必需支出突然增加，超出家庭承受能力，基本生活暂时出现严重困难的；\n"
                           "3. 本市户籍或持居住证的居民均可申请，非本地户籍人员可向急难发生地申请。"),
        "materials": ("临时救助申请书 | 原件 | 窗口提供，可帮助填写\n"
                      "居民身份证和户口簿 | 原件和复印件 | \n"
                      "困难情况证明 | 原件和复印件 | 如医疗费用票据、诊断证明、事故证明、火灾证明等\n"
                      "家庭经济状况核对授权书 | 原件 | 全部成年家庭成员签字\n"
                      "本人银行卡 | 复印件 | 用于发放救助金"),
        "steps": ("1. 申请：本人、家属或社区工作人员代为提出\n"
                  "2. 受理：急难情况当日启动先行救助\n"
                  "3. 入户调查，核实困难情况\n"
                  "4. 公示（先行救助的事后补充公示）\n"
                  "5. 街道审批，超额度的报区民政局\n"
                  "6. 发放救助金或实物"),
        "time_limit": 3, "time_unit": "workdays", "post": "SW",
        "channels": "window,home_visit,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "临时救助,急难救助,困难补助,救急,大病,意外",
    },
    {
        "code": "FL-002", "name": "高龄津贴申领", "category": "福利救助",
        "description": ("为80周岁以上本市户籍老年人按月发放高龄津贴，标准按年龄分档，以区民政局公布为准。社区受理"
                        "初审3个工作日内报街道，区民政局审批后自批准次月起发放。每年需确认领取资格，可通过"
                        "静默认证或社区上门确认。"),
        "qualifications": "年满80周岁的本市户籍老年人（可在满80周岁的当月申请）。",
        "materials": ("居民身份证 | 原件和复印件 | \n"
                      "户口簿 | 原件和复印件 | \n"
                      "本人社会保障卡或银行卡 | 复印件 | 用于按月发放\n"
                      "委托书和代办人身份证 | 原件 | 家属代办时提供"),
        "steps": ("1. 本人或家属到窗口申请，行动不便的可预约上门\n"
                  "2. 社区初审，3个工作日内报街道\n"
                  "3. 街道审核，区民政局审批\n"
                  "4. 自批准次月起按月发放到本人账户"),
        "time_limit": 3, "time_unit": "workdays", "post": "SW",
        "channels": "window,home_visit,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "高龄津贴,高龄补贴,老年补贴,80岁补贴,长寿补贴,老人补贴",
    },
    {
        "code": "FL-003", "name": "独生子女父母奖励申领", "category": "福利救助",
        "description": ("为持有《独生子女父母光荣证》的家庭办理独生子女父母奖励，包括按月发放的奖励费、企业职工退休时"
                        "的一次性奖励（按本省条例执行），以及为独生子女死亡或伤残的计划生育特殊家庭申请特别扶助金。"
                        "社区核实后5个工作日内报街道，区卫生健康委审批。"),
        "qualifications": ("1. 持有《独生子女父母光荣证》的夫妻，按本省条例享受奖励费；\n"
                           "2. 持证的企业职工办理退休时，按本省规定领取一次性奖励；\n"
                           "3. 独生子女死亡或伤残、且夫妻不再生育或收养子女的，女方年满49周岁后可申请特别扶助。"),
        "materials": ("独生子女父母光荣证 | 原件和复印件 | \n"
                      "夫妻双方居民身份证 | 原件和复印件 | \n"
                      "户口簿 | 原件和复印件 | \n"
                      "退休审批表 | 复印件 | 申请退休一次性奖励的提供\n"
                      "子女死亡证明或残疾人证 | 原件和复印件 | 申请特别扶助的提供\n"
                      "本人银行卡 | 复印件 | 用于发放"),
        "steps": ("1. 到窗口提交申请\n"
                  "2. 社区核实，5个工作日内报街道\n"
                  "3. 街道审核，区卫生健康委审批\n"
                  "4. 发放奖励或扶助金"),
        "time_limit": 5, "time_unit": "workdays", "post": "WJ",
        "channels": "window,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "独生子女,光荣证,独生子女奖励,计生奖励,特别扶助,失独,计划生育",
    },
    {
        "code": "FL-004", "name": "退役军人优待证申领及优抚服务", "category": "福利救助",
        "description": ("社区退役军人服务站为退役军人和其他优抚对象受理《中华人民共和国退役军人优待证》申领，"
                        "提供优待政策咨询、帮扶援助、节日走访等服务。社区核对信息后3个工作日内报街道，"
                        "区退役军人事务局审核制证，社区通知领取。"),
        "qualifications": "户籍在本社区的退役军人，以及烈士遗属、因公牺牲军人遗属、病故军人遗属等优抚对象。",
        "materials": ("居民身份证 | 原件 | \n"
                      "退役证件 | 原件和复印件 | 退伍证、转业证或复员证，已完成信息采集的可不提供\n"
                      "近期二寸白底免冠彩色证件照 | 原件 | 可提供电子照片，窗口也可现场拍照\n"
                      "烈士证明书等优抚对象证件 | 原件和复印件 | 遗属申领时提供"),
        "steps": ("1. 到窗口或在退役军人服务小程序申请\n"
                  "2. 社区退役军人服务站核对信息\n"
                  "3. 街道退役军人服务站审核\n"
                  "4. 区退役军人事务局审核、制证\n"
                  "5. 社区通知领取，行动不便的送证上门"),
        "time_limit": 3, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,home_visit", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "退役军人,优待证,军人优待,优抚,退伍军人,烈属",
    },
    {
        "code": "FL-005", "name": "公共租赁住房申请协助", "category": "福利救助",
        "description": ("协助符合条件的家庭和个人申请公共租赁住房（公租房）或租赁补贴。社区受理并初审，5个工作日内"
                        "完成并报街道；街道审核、区住房保障部门复核并公示后，进入轮候配租。"),
        "qualifications": ("1. 本市城镇户籍的中等偏下收入住房困难家庭：家庭人均收入和人均住房面积低于当地公布的标准；\n"
                           "2. 新就业无房职工、在本市稳定就业的外来务工人员（按当地条件，如连续缴纳社保满一定期限）；\n"
                           "3. 申请人及家庭成员在本市无自有住房或住房面积低于标准，且未享受其他住房保障。"),
        "materials": ("公共租赁住房申请表 | 原件 | 窗口提供\n"
                      "家庭成员居民身份证和户口簿 | 原件和复印件 | \n"
                      "婚姻状况证明 | 原件和复印件 | \n"
                      "家庭收入证明 | 原件 | 单位出具，或填写个人收入申报承诺书\n"
                      "家庭经济状况和住房情况核查授权书 | 原件 | 全部成年家庭成员签字\n"
                      "劳动合同和社保缴费证明 | 复印件 | 新就业职工、外来务工人员提供\n"
                      "低保证、残疾人证、优抚证件等 | 复印件 | 申请优先配租的提供"),
        "steps": ("1. 到窗口提交申请\n"
                  "2. 社区受理、入户核实，5个工作日内报街道\n"
                  "3. 街道审核\n"
                  "4. 区住房保障部门复核并公示\n"
                  "5. 轮候、摇号配租或发放租赁补贴"),
        "time_limit": 5, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "公租房,廉租房,保障房,住房保障,租房补贴,住房困难",
    },
    # ------------------------------------------------------------------ 居家服务
    {
        "code": "JJ-001", "name": "居家养老上门服务", "category": "居家服务",
        "description": ("为居家老年人提供助洁、助浴、助医陪诊、代购、探访等上门服务，由街道居家养老服务中心"
                        "（政府购买服务）派人上门。申请后3个工作日内上门评估并制定服务计划。"),
        "qualifications": ("本社区60周岁以上居家老年人。\n"
                           "特困、低保、低收入家庭中的失能半失能老人，以及80周岁以上独居、空巢老人，"
                           "经评估可享受政府购买的免费服务，其他老人可按低偿价格购买。"),
        "materials": ("居民身份证 | 原件 | \n"
                      "低保证、特困供养证或低收入家庭证明 | 复印件 | 申请免费服务的提供\n"
                      "病历或失能评估结果 | 复印件 | 失能、半失能老人提供"),
        "steps": ("1. 本人或家属到窗口、电话或在线申请\n"
                  "2. 社区登记，转居家养老服务中心\n"
                  "3. 3个工作日内上门评估，确定服务内容和费用\n"
                  "4. 按计划上门服务\n"
                  "5. 社区回访，老人或家属评价"),
        "time_limit": 3, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,appointment,home_visit,proxy", "fee_kind": "low_cost",
        "fee_note": "经评估符合政府购买服务条件的老人免费，其他老人按服务中心公示的低偿价格向服务中心付费，服务站不收费。",
        "duty_list": "assisted_government", "provider": "partner", "provider_name": "和平街道居家养老服务中心",
        "keywords": "居家养老,上门服务,助浴,助洁,陪诊,养老服务,独居老人",
    },
    {
        "code": "JJ-002", "name": "家政服务预约", "category": "居家服务",
        "description": ("通过社区预约经街道遴选的家政公司，提供日常保洁、深度保洁、擦玻璃、做饭、钟点工、"
                        "育儿嫂、月嫂等服务。预约后24小时内由家政公司联系确认服务时间和价格。"),
        "qualifications": "本社区居民均可预约。",
        "materials": "",
        "steps": ("1. 在线、电话或到窗口预约，说明服务内容、地址和期望时间\n"
                  "2. 24小时内家政公司电话确认价格和时间\n"
                  "3. 上门服务，居民直接向家政公司付费\n"
                  "4. 服务后评价，对服务质量有意见可向社区投诉"),
        "time_limit": 24, "time_unit": "hours", "post": "BM",
        "channels": "window,online,appointment", "fee_kind": "paid",
        "fee_note": "有偿服务，按家政公司在服务站公示的价格收费，居民直接付给家政公司，服务站不收取任何费用。",
        "duty_list": "self_governance", "provider": "partner", "provider_name": "安心家政服务有限公司",
        "keywords": "家政,保洁,保姆,月嫂,钟点工,擦玻璃,打扫卫生",
    },
    {
        "code": "JJ-003", "name": "老年助餐服务", "category": "居家服务",
        "description": ("为老年人办理助餐登记，开通助餐卡后可到社区老年食堂就餐或预约送餐上门，符合条件的享受政府"
                        "助餐补贴。登记后1个工作日内核对补贴资格并开通。"),
        "qualifications": ("本社区60周岁以上老年人。\n"
                           "低保、特困、失能和80周岁以上老人按区民政局公布的标准享受助餐补贴。"),
        "materials": ("居民身份证或社会保障卡 | 原件 | 开通后可刷卡就餐\n"
                      "低保证、特困供养证或残疾人证 | 复印件 | 申请助餐补贴的提供"),
        "steps": ("1. 到窗口登记\n"
                  "2. 核对补贴资格，1个工作日内开通助餐卡\n"
                  "3. 到食堂就餐，或提前预约送餐上门\n"
                  "4. 对饭菜和服务提出意见，社区定期回访"),
        "time_limit": 1, "time_unit": "workdays", "post": "SW",
        "channels": "window,online,proxy", "fee_kind": "low_cost",
        "fee_note": "低偿：按食堂公示价格就餐，符合条件的老人享受助餐补贴，送餐上门另付少量配送费，费用付给食堂。",
        "duty_list": "assisted_government", "provider": "partner", "provider_name": "社区老年食堂",
        "keywords": "助餐,老年食堂,长者食堂,送餐,老人吃饭,老年餐,助餐卡",
    },
    {
        "code": "JJ-004", "name": "便民维修服务", "category": "居家服务",
        "description": ("社区便民维修志愿服务队上门修理水龙头、灯具、开关插座、门锁、纱窗等小型家居问题，48小时内"
                        "上门。燃气管道、电梯、房屋结构和公共管线问题不在此列，请联系燃气公司或物业。"),
        "qualifications": "本社区居民，优先服务独居、高龄、残疾和困难家庭。",
        "materials": "",
        "steps": ("1. 在线、电话或到窗口报修，说明问题和地址\n"
                  "2. 社区派单给维修志愿者\n"
                  "3. 48小时内上门维修\n"
                  "4. 居民确认完成并评价，志愿时长记入时间银行"),
        "time_limit": 48, "time_unit": "hours", "post": "BM",
        "channels": "window,online,appointment,home_visit", "fee_kind": "free",
        "fee_note": "上门和人工免费，需要更换的零配件由居民自购或按实际价格支付。",
        "duty_list": "self_governance", "provider": "volunteers", "provider_name": "社区“红马甲”便民维修志愿服务队",
        "keywords": "维修,报修,修水管,水龙头,换灯泡,修门锁,修理",
    },
    {
        "code": "JJ-005", "name": "心理疏导", "category": "居家服务",
        "description": ("由专业社会工作者和志愿心理咨询师提供一对一心理疏导、家庭关系调适、哀伤辅导等服务，可在社区"
                        "心理咨询室或上门进行，严格保密。申请后3个工作日内安排首次面谈。如有自伤、伤人等紧急"
                        "危险，请立即拨打110或120。"),
        "qualifications": "本社区居民，重点关注独居老人、困境儿童、残疾人家庭和遭遇变故的家庭。",
        "materials": "",
        "steps": ("1. 电话、在线或到窗口预约（可匿名说明情况）\n"
                  "2. 3个工作日内安排首次面谈\n"
                  "3. 社工评估需要，商定后续服务次数\n"
                  "4. 需要医疗干预的，协助转介到精神卫生专业机构"),
        "time_limit": 3, "time_unit": "workdays", "post": "WJ",
        "channels": "online,appointment,home_visit", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "partner", "provider_name": "和平街道社会工作服务站",
        "keywords": "心理咨询,心理疏导,情绪,焦虑,抑郁,失眠,谈心",
    },
    {
        "code": "JJ-006", "name": "委托代办", "category": "居家服务",
        "description": ("为老年人、残疾人、重病患者等行动不便或确有困难的居民，代为办理需到街道或区政务服务中心办理的"
                        "事项（社保、医保、民政、残联等），实行“居民委托、社区代办、结果送达”。社区在5个工作日内"
                        "将材料报送办理部门，办理时限以各部门承诺时限为准。"),
        "qualifications": "本社区行动不便或确有困难的居民，代办事项须属于允许委托办理的事项。",
        "materials": ("代办委托书 | 原件 | 窗口提供，委托人签字或按手印\n"
                      "委托人居民身份证 | 原件 | 办结后当面归还\n"
                      "代办事项所需材料 | 原件和复印件 | 按各事项清单一次性告知"),
        "steps": ("1. 电话或到窗口提出代办，行动不便的上门受理\n"
                  "2. 签订代办委托书，代办员清点材料并出具收件凭证\n"
                  "3. 5个工作日内到有关部门提交\n"
                  "4. 办结后将结果和原件送还委托人\n"
                  "5. 回访"),
        "time_limit": 5, "time_unit": "workdays", "post": "ZH",
        "channels": "window,home_visit,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "代办,帮办,上门代办,跑腿,代理,帮忙办",
    },
    # ------------------------------------------------------------------ 法律服务
    {
        "code": "FW-001", "name": "法律咨询", "category": "法律服务",
        "description": ("社区法律顾问（律师）每周三下午在服务站坐班，为居民免费解答婚姻家庭、继承、房屋租赁、"
                        "劳动争议、借贷、消费维权等法律问题，其他时间可预约或在线留言。需要诉讼、仲裁的，"
                        "告知程序；经济困难的，协助申请法律援助。"),
        "qualifications": "本社区居民和辖区单位均可咨询。",
        "materials": ("居民身份证 | 原件 | \n"
                      "与咨询事项有关的材料 | 复印件 | 如合同、借条、票据、判决书等，有则带上便于律师判断"),
        "steps": ("1. 坐班时间到调解室，或预约、在线留言\n"
                  "2. 律师当面解答，疑难问题约定时间答复\n"
                  "3. 需要进一步法律服务的，告知途径"),
        "time_limit": 0, "time_unit": "workdays", "post": "ZZ",
        "channels": "window,online,appointment", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "partner", "provider_name": "正衡律师事务所（社区法律顾问）",
        "keywords": "律师,法律咨询,打官司,法律顾问,合同纠纷,继承,离婚",
    },
    {
        "code": "FW-002", "name": "矛盾纠纷调解", "category": "法律服务",
        "description": ("社区人民调解委员会免费调解邻里、婚姻家庭、物业、损害赔偿等民间纠纷。调解遵循自愿、平等原则，"
                        "一般在15个工作日内调结，复杂纠纷经双方同意可以延长。达成调解协议的，可共同向法院申请"
                        "司法确认。"),
        "qualifications": ("当事人一方或双方自愿申请调解的民间纠纷。\n"
                           "已由法院、仲裁机构受理，或行政机关已依法处理的纠纷，不予受理。"),
        "materials": ("居民身份证 | 原件 | \n"
                      "纠纷相关证据 | 复印件 | 如照片、票据、协议等，有则提供\n"
                      "调解申请书 | 原件 | 可口头申请，由工作人员记录"),
        "steps": ("1. 口头或书面申请\n"
                  "2. 受理登记，了解情况，征求对方调解意愿\n"
                  "3. 组织各方调解\n"
                  "4. 达成协议的制作人民调解协议书，可申请司法确认\n"
                  "5. 回访协议履行情况，调解不成的告知其他解决途径"),
        "time_limit": 15, "time_unit": "workdays", "post": "ZZ",
        "channels": "window,appointment,home_visit", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "调解,纠纷,吵架,邻里矛盾,楼上漏水,噪音,人民调解",
    },
    {
        "code": "FW-003", "name": "法律援助申请协助", "category": "法律服务",
        "description": ("因经济困难没有委托代理人的居民，在请求支付劳动报酬、给付赡养费抚养费、工伤赔偿等事项上可以申请"
                        "法律援助。社区受理后2个工作日内转交区法律援助中心，由中心审查决定并指派律师。"),
        "qualifications": ("1. 经济困难符合本省法律援助经济困难标准（低保、特困等人员免予核查经济困难状况）；\n"
                           "2. 申请事项属于法律援助范围；\n"
                           "3. 讨要劳动报酬、工伤赔偿等事项，按规定不受经济困难条件限制。"),
        "materials": ("居民身份证 | 原件和复印件 | \n"
                      "法律援助申请表 | 原件 | 窗口提供，可帮助填写\n"
                      "经济困难状况说明表 | 原件 | 个人诚信承诺，低保、特困人员提供相应证件即可\n"
                      "与申请事项有关的材料 | 复印件 | 如劳动合同、欠条、判决书等\n"
                      "代理人身份证明 | 原件和复印件 | 由他人代为申请时提供"),
        "steps": ("1. 到窗口提交申请\n"
                  "2. 社区核对材料，2个工作日内转交区法律援助中心\n"
                  "3. 法律援助中心审查并作出是否给予援助的决定\n"
                  "4. 指派律师办理"),
        "time_limit": 2, "time_unit": "workdays", "post": "ZZ",
        "channels": "window,online,proxy", "fee_kind": "free", "fee_note": "",
        "duty_list": "assisted_government", "provider": "station", "provider_name": "",
        "keywords": "法律援助,免费律师,讨薪,欠薪,赡养费,工伤",
    },
    # ------------------------------------------------------------------ 党群服务
    {
        "code": "DQ-001", "name": "党员组织关系转接", "category": "党群服务",
        "description": ("办理党员组织关系转入本社区党组织、从本社区党组织转出，以及流动党员登记。转接通过全国党员"
                        "管理信息系统办理，3个工作日内完成本社区部分。退休、离职党员的组织关系一般转到居住地社区。"),
        "qualifications": ("1. 转入：在本社区居住的党员，因退休、离职、工作单位变动等需转入社区党组织的；\n"
                           "2. 转出：组织关系在本社区党组织的党员，因迁居、就业等需转到其他党组织的。"),
        "materials": ("党员组织关系介绍信 | 原件 | 转入时提供，由原党组织开具（纸质或系统电子介绍信）\n"
                      "居民身份证 | 原件 | \n"
                      "退休证明或离职证明 | 复印件 | 因退休、离职转入的提供\n"
                      "接收党组织名称和联系方式 | 原件 | 转出时提供"),
        "steps": ("1. 到党员服务窗口提交\n"
                  "2. 核对党员信息\n"
                  "3. 在全国党员管理信息系统中接收或转出\n"
                  "4. 转入的编入党支部并告知组织生活安排，转出的开具介绍信"),
        "time_limit": 3, "time_unit": "workdays", "post": "DJ",
        "channels": "window", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "组织关系,党组织关系,转党关系,介绍信,党员转入,流动党员",
    },
    {
        "code": "DQ-002", "name": "志愿者注册", "category": "党群服务",
        "description": ("注册成为社区志愿者，加入志愿服务队伍，参加助老、环境、文体、便民维修、法律宣传等志愿服务。"
                        "服务时长经确认后记入时间银行，可兑换服务或转赠，累计时长可参加星级认定。"),
        "qualifications": ("年满18周岁、身体健康、热心公益的居民。\n"
                           "未成年人经监护人同意，可参加与其年龄、身心状况相适应的志愿服务。"),
        "materials": ("居民身份证 | 原件 | 实名注册\n"
                      "技能证书 | 复印件 | 如医生、律师、电工、心理咨询师等，有则提供\n"
                      "监护人同意书 | 原件 | 未成年人提供"),
        "steps": ("1. 在本平台或到窗口填写注册信息\n"
                  "2. 服务站3个工作日内审核\n"
                  "3. 加入志愿服务队\n"
                  "4. 报名参加活动，服务时长经确认后记入时间银行"),
        "time_limit": 3, "time_unit": "workdays", "post": "DJ",
        "channels": "window,online", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "志愿者,义工,注册志愿者,时间银行,志愿服务,爱心银行",
    },
    {
        "code": "DQ-003", "name": "在职党员到社区报到", "category": "党群服务",
        "description": ("在职党员到居住地社区报到，登记特长和服务意愿，认领社区服务岗位或项目，参加志愿服务。"
                        "社区定期向党员所在单位党组织反馈表现。"),
        "qualifications": "居住在本社区的在职党员。",
        "materials": ("居民身份证 | 原件 | \n"
                      "单位党组织报到函 | 原件 | 已在线上报到系统提交的无需提供"),
        "steps": ("1. 到党员服务窗口或线上报到\n"
                  "2. 登记特长和服务意愿\n"
                  "3. 认领服务岗位或项目\n"
                  "4. 参加服务，社区记录并反馈所在单位党组织"),
        "time_limit": 0, "time_unit": "workdays", "post": "DJ",
        "channels": "window,online", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "双报到,在职党员报到,党员报到,党员志愿服务",
    },
    {
        "code": "DQ-004", "name": "社区活动场地预约", "category": "党群服务",
        "description": ("党群服务中心的多功能厅、议事室、文体活动室、阅览室等向居民和社区社会组织开放，用于公益性的"
                        "文体、议事、培训、志愿服务活动，不得用于经营性活动。预约后1个工作日内确认。"),
        "qualifications": "本社区居民、居民文体团队、社区社会组织和辖区单位。",
        "materials": ("居民身份证 | 原件 | 预约负责人\n"
                      "活动方案 | 原件 | 30人以上或使用多功能厅的提供，写明时间、内容、人数和安全负责人"),
        "steps": ("1. 在线或到窗口查看空闲时段并预约\n"
                  "2. 1个工作日内确认\n"
                  "3. 按时使用，活动结束后恢复场地原状\n"
                  "4. 工作人员验收场地"),
        "time_limit": 1, "time_unit": "workdays", "post": "DJ",
        "channels": "window,online,appointment", "fee_kind": "free", "fee_note": "",
        "duty_list": "self_governance", "provider": "station", "provider_name": "",
        "keywords": "场地,活动室,借场地,会议室,预约场地,舞蹈室,多功能厅",
    },
]

LOCAL_ITEMS = {
    "yangliu": [
        {
            "code": "YL-001", "name": "杨柳长者食堂助餐预约", "category": "居家服务",
            "description": ("杨柳长者食堂（杨柳路18号党群服务中心一楼东侧）每日供应午餐和晚餐。当天上午9:30前预约当日"
                            "午餐，下午3:00前预约当日晚餐；行动不便的老人可预约送餐上门，由助餐志愿者配送。"),
            "qualifications": "已办理老年助餐登记（助餐卡）的本社区60周岁以上老年人，其他居民可现场就餐。",
            "materials": "",
            "steps": ("1. 电话、在线或到食堂预约，说明份数和是否送餐\n"
                      "2. 食堂当场确认\n"
                      "3. 到食堂刷卡就餐，或在家等候送餐"),
            "time_limit": 0, "time_unit": "workdays", "post": "SW",
            "channels": "window,online,appointment,home_visit", "fee_kind": "low_cost",
            "fee_note": "按食堂公示价格付费，助餐补贴刷卡时直接抵扣，送餐每次另付配送费，费用付给食堂。",
            "duty_list": "self_governance", "provider": "partner", "provider_name": "杨柳社区长者食堂",
            "keywords": "助餐,长者食堂,老年食堂,订餐,送餐,午饭",
        },
        {
            "code": "YL-002", "name": "老旧小区加装电梯协调服务", "category": "生活信息",
            "description": ("杨柳社区多为上世纪90年代建成的多层住宅。有意向加装电梯的单元，由社区协助组织业主协商、"
                            "征求意见和公示，指导准备报街道和区住房城乡建设部门的申请材料，并协调施工期间的矛盾。"
                            "收到意向后5个工作日内安排首次协商会。"),
            "qualifications": ("本社区多层住宅单元的业主。\n"
                               "按《民法典》规定，须由本单元专有部分面积占比三分之二以上且人数占比三分之二以上的业主"
                               "参与表决，并经参与表决的面积和人数各四分之三以上同意。"),
            "materials": ("不动产权证书 | 复印件 | 发起业主提供\n"
                          "业主意见征询表 | 原件 | 社区提供模板，业主签字\n"
                          "加装电梯初步方案 | 原件 | 可由设计或施工单位出具"),
            "steps": ("1. 单元业主代表到窗口提出意向\n"
                      "2. 5个工作日内社区组织首次协商会\n"
                      "3. 征求意见、表决并在单元内公示\n"
                      "4. 指导准备申请材料，报街道和区住房城乡建设部门\n"
                      "5. 施工期间协调矛盾，竣工后协助申请补贴"),
            "time_limit": 5, "time_unit": "workdays", "post": "BM",
            "channels": "window,appointment", "fee_kind": "free",
            "fee_note": "社区协调不收费，电梯建设和维护费用由业主协商分摊。",
            "duty_list": "self_governance", "provider": "station", "provider_name": "",
            "keywords": "加装电梯,装电梯,老楼电梯,旧楼改造,老旧小区改造",
        },
        {
            "code": "YL-003", "name": "居家适老化改造申请", "category": "福利救助",
            "description": ("为经济困难的高龄、失能、残疾老年人家庭免费安装扶手、防滑地面、淋浴椅、坐便椅、夜灯、"
                            "紧急呼叫器等适老化设施。社区初审后5个工作日内报街道，第三方机构上门评估后改造，"
                            "改造完成后验收回访。"),
            "qualifications": ("本社区户籍、居家生活的特殊困难老年人家庭：低保、特困、低收入家庭中的高龄、失能、"
                               "残疾老年人，以及计划生育特殊家庭老年人。"),
            "materials": ("居民身份证和户口簿 | 原件和复印件 | \n"
                          "低保证、特困供养证或低收入家庭证明 | 复印件 | \n"
                          "残疾人证或失能评估结果 | 复印件 | 残疾、失能老人提供\n"
                          "房屋产权人同意改造的书面意见 | 原件 | 租住或借住的提供"),
            "steps": ("1. 到窗口申请，行动不便的可预约上门受理\n"
                      "2. 社区初审，5个工作日内报街道\n"
                      "3. 第三方机构上门评估，确定改造方案\n"
                      "4. 施工改造\n"
                      "5. 验收、回访"),
            "time_limit": 5, "time_unit": "workdays", "post": "SW",
            "channels": "window,home_visit,proxy", "fee_kind": "free", "fee_note": "",
            "duty_list": "assisted_government", "provider": "partner", "provider_name": "和平街道居家养老服务中心",
            "keywords": "适老化改造,扶手,防滑,无障碍,老人家装,紧急呼叫",
        },
        {
            "code": "YL-004", "name": "老年人智能手机使用帮教", "category": "生活信息",
            "description": ("青年志愿者每周六上午在服务大厅一对一教老年人使用智能手机：视频通话、健康码和医保电子凭证、"
                            "挂号、刷脸认证、识别电信诈骗等，也可预约上门教学。"),
            "qualifications": "本社区老年人，家属可陪同学习。",
            "materials": "",
            "steps": ("1. 周六上午直接到服务大厅，或预约上门\n"
                      "2. 志愿者按需要一对一教学\n"
                      "3. 学员评价，志愿时长记入时间银行"),
            "time_limit": 0, "time_unit": "workdays", "post": "DJ",
            "channels": "window,appointment,home_visit", "fee_kind": "free", "fee_note": "",
            "duty_list": "self_governance", "provider": "volunteers", "provider_name": "杨柳社区青年志愿服务队",
            "keywords": "智能手机,学手机,老人用手机,微信,防诈骗,数字助老",
        },
    ],
    "qinghe": [
        {
            "code": "QH-001", "name": "电动车充电桩报修", "category": "生活信息",
            "description": ("清河社区在3号楼和9号楼旁设有电动自行车集中充电棚。充电桩不通电、扫码失败、插座损坏、"
                            "雨棚漏水等问题可扫码或到窗口报修，运营单位24小时内处理。为了消防安全，严禁“飞线充电”"
                            "和将电动车推进楼道、电梯。"),
            "qualifications": "在本社区集中充电点充电的居民。",
            "materials": "",
            "steps": ("1. 扫充电桩上的报修二维码，或在线、到窗口报修，说明桩号和问题\n"
                      "2. 社区转运营单位\n"
                      "3. 24小时内维修\n"
                      "4. 报修人确认修复"),
            "time_limit": 24, "time_unit": "hours", "post": "BM",
            "channels": "window,online,self_service", "fee_kind": "free",
            "fee_note": "报修和维修免费，充电费按运营单位公示标准扫码支付。",
            "duty_list": "self_governance", "provider": "partner", "provider_name": "清河社区电动自行车充电棚运营单位",
            "keywords": "充电桩,充电棚,电动车充电,充电报修,飞线充电",
        },
        {
            "code": "QH-002", "name": "“四点半课堂”报名", "category": "党群服务",
            "description": ("为双职工家庭小学生提供放学后看护。周一至周五16:30至18:00在社区活动室，由大学生志愿者和"
                            "退休教师志愿者辅导作业、开展阅读和手工活动。报名后3个工作日内确认名额。"),
            "qualifications": "居住在本社区的小学一至六年级学生，家长下班前无人接送看护的优先。",
            "materials": ("孩子户口簿或身份证 | 原件 | \n"
                          "监护人居民身份证 | 原件 | \n"
                          "接送安全承诺书 | 原件 | 窗口提供，写明接送人"),
            "steps": ("1. 家长到窗口或在线报名\n"
                      "2. 3个工作日内确认名额\n"
                      "3. 签订接送安全承诺书\n"
                      "4. 按时参加，家长按约定时间接回"),
            "time_limit": 3, "time_unit": "workdays", "post": "DJ",
            "channels": "window,online", "fee_kind": "free", "fee_note": "",
            "duty_list": "self_governance", "provider": "volunteers", "provider_name": "清河社区大学生和退休教师志愿者",
            "keywords": "四点半课堂,作业辅导,放学托管,小学生,课后看护",
        },
        {
            "code": "QH-003", "name": "小区物业问题协调", "category": "生活信息",
            "description": ("对小区物业服务中的问题（卫生、绿化、公共设施维修、停车、收费等）先由社区转物业服务企业处理；"
                            "物业未解决的，由社区组织居委会、业委会和物业召开协调会；仍未解决的报街道物业办。"
                            "社区收到反映后5个工作日内给出答复。"),
            "qualifications": "清河社区各小区的业主和住户。",
            "materials": ("现场照片或相关材料 | 复印件 | 有则提供，可上传照片"),
            "steps": ("1. 在线、电话或到窗口反映\n"
                      "2. 社区登记，2个工作日内转物业服务企业\n"
                      "3. 物业处理并反馈\n"
                      "4. 未解决的召开三方协调会，仍未解决的报街道物业办\n"
                      "5. 5个工作日内答复，解决后回访"),
            "time_limit": 5, "time_unit": "workdays", "post": "ZZ",
            "channels": "window,online,appointment", "fee_kind": "free", "fee_note": "",
            "duty_list": "self_governance", "provider": "station", "provider_name": "",
            "keywords": "物业,物业投诉,业委会,停车,公共维修,小区管理",
        },
    ],
    "jinxiu": [
        {
            "code": "JX-001", "name": "家门口就业服务", "category": "社会保障",
            "description": ("锦绣社区家门口就业服务站提供岗位推荐、每月第二个周五的社区小型招聘会、简历指导、"
                            "补贴性职业技能培训报名和创业担保贷款政策咨询。登记求职意愿后3个工作日内推荐合适岗位。"),
            "qualifications": "本社区有就业意愿的居民，包括失业人员、高校毕业生、退役军人、就业困难人员和灵活就业人员。",
            "materials": ("居民身份证 | 原件 | \n"
                          "学历证书和职业技能证书 | 复印件 | 有则提供\n"
                          "个人简历 | 原件 | 没有的可现场帮助制作"),
            "steps": ("1. 到就业服务站登记求职意愿\n"
                      "2. 3个工作日内推荐岗位\n"
                      "3. 参加面试或培训\n"
                      "4. 就业后跟踪回访，办理就业登记"),
            "time_limit": 3, "time_unit": "workdays", "post": "SB",
            "channels": "window,online,appointment", "fee_kind": "free", "fee_note": "",
            "duty_list": "assisted_government", "provider": "station", "provider_name": "",
            "keywords": "找工作,招聘,招聘会,职业培训,技能培训,创业贷款,就业服务站",
        },
        {
            "code": "JX-002", "name": "社区托育服务预约", "category": "居家服务",
            "description": ("锦绣社区嵌入式普惠托育点（锦绣大道99号二楼）为3岁以下婴幼儿提供全日托、半日托和临时托，"
                            "由具备资质的托育机构运营。预约后3个工作日内安排入托前参观和面谈。"),
            "qualifications": "本社区18个月至3周岁的婴幼儿，临时托不限户籍。",
            "materials": ("婴幼儿户口簿或出生医学证明 | 复印件 | \n"
                          "预防接种证 | 原件 | 查验接种情况\n"
                          "入托体检表 | 原件 | 在社区卫生服务中心或指定医院体检\n"
                          "监护人居民身份证 | 原件 | "),
            "steps": ("1. 在线或到窗口预约\n"
                      "2. 3个工作日内安排参观和面谈\n"
                      "3. 入托体检\n"
                      "4. 与托育机构签订托育协议并入托"),
            "time_limit": 3, "time_unit": "workdays", "post": "WJ",
            "channels": "window,online,appointment", "fee_kind": "low_cost",
            "fee_note": "普惠价格，按托育机构在服务站公示的标准向机构付费，服务站不收费。",
            "duty_list": "self_governance", "provider": "partner", "provider_name": "锦绣社区普惠托育点",
            "keywords": "托育,托儿所,带娃,婴幼儿照护,临时托,早教",
        },
        {
            "code": "JX-003", "name": "新就业群体暖心驿站", "category": "党群服务",
            "description": ("为快递员、外卖骑手、网约车司机等新就业形态劳动者提供歇脚、饮水、热饭、手机充电、应急药箱和"
                            "卫生间，每天7:00至21:00开放。可在驿站办理工会入会，参加社区志愿服务。"),
            "qualifications": "快递员、外卖骑手、网约车司机、环卫工人等户外劳动者，不限户籍。",
            "materials": "",
            "steps": ("1. 开放时间内直接到驿站使用\n"
                      "2. 需要办理工会入会的，到窗口登记或扫码入会"),
            "time_limit": 0, "time_unit": "workdays", "post": "DJ",
            "channels": "window,self_service", "fee_kind": "free", "fee_note": "",
            "duty_list": "self_governance", "provider": "station", "provider_name": "",
            "keywords": "骑手驿站,快递员,外卖员,暖心驿站,歇脚,工会入会",
        },
        {
            "code": "JX-004", "name": "新入住居民报到登记", "category": "生活信息",
            "description": ("锦绣社区新交付楼盘较多。新入住居民到社区报到，登记联系方式和家庭情况，领取社区服务指南，"
                            "了解所属网格员、服务窗口和社区活动，有需要的可同时办理居住登记、志愿者注册等事项。"),
            "qualifications": "新迁入或新租住在本社区的居民。",
            "materials": ("居民身份证 | 原件 | \n"
                          "不动产权证书或房屋租赁合同 | 复印件 | "),
            "steps": ("1. 到窗口或在线报到\n"
                      "2. 登记联系方式，告知所属网格员\n"
                      "3. 领取服务指南，需要时同时办理其他事项"),
            "time_limit": 0, "time_unit": "workdays", "post": "ZH",
            "channels": "window,online", "fee_kind": "free", "fee_note": "",
            "duty_list": "self_governance", "provider": "station", "provider_name": "",
            "keywords": "新居民,入住登记,搬家报到,网格员,新房入住",
        },
    ],
}


def items_for(slug: str) -> list[dict]:
    """The demo menu of one community: the base items and its own (base items only for an unknown slug); copies."""
    return [dict(item) for item in BASE_ITEMS + LOCAL_ITEMS.get(slug, [])]


if __name__ == "__main__":
    from collections import Counter

    from community_hall.menu.services import COLUMNS, DEFAULT_CATEGORIES, clean_item

    # clean_item needs no app: its lazy messages are only built when it raises.
    post_codes = {p["code"] for p in POSTS}
    assert len(post_codes) == len(POSTS), "duplicate post codes"
    for slug in LOCAL_ITEMS:
        raws = items_for(slug)
        cleaned = [clean_item(raw) for raw in raws]
        codes = [d.code for d in cleaned]
        assert len(codes) == len(set(codes)), f"{slug}: duplicate codes"
        assert len(cleaned) >= 28, f"{slug}: only {len(cleaned)} items"
        per_category = Counter(d.category for d in cleaned)
        assert set(per_category) == set(DEFAULT_CATEGORIES), set(per_category) ^ set(DEFAULT_CATEGORIES)
        for name in DEFAULT_CATEGORIES:
            assert per_category[name] >= 2, f"{slug}: {name} has {per_category[name]} items"
        for raw, data in zip(raws, cleaned, strict=True):
            assert set(raw) <= set(COLUMNS), (data.code, set(raw) - set(COLUMNS))
            assert data.post in post_codes, (data.code, data.post)
            lines = [line for line in raw["materials"].splitlines() if line.strip()]
            assert len(data.materials) == len(lines), (data.code, "a material line was split or lost")
            assert all(len(m["note"]) < 200 for m in data.materials), (data.code, "a material note was cut")
            assert set(data.channels) == set(raw["channels"].split(",")), (data.code, "channels")
            for key in ("time_unit", "fee_kind", "duty_list", "provider"):
                assert getattr(data, key) == raw[key], (data.code, key)
        print(f"{slug}: {len(cleaned)} items; " + ", ".join(f"{c} {per_category[c]}" for c in DEFAULT_CATEGORIES))
    print("ok")
