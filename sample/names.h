// Word lists for the sample district: surnames, given names by sex and
// generation, street and community names. Internal to sample/.
//
// Given names follow the fashions of their time (a woman born in 1940 is a
// 桂兰 far more often than a 梓涵), so generated households read like real
// ones to the officers who test with them.
#ifndef DIBAO_SAMPLE_NAMES_H_
#define DIBAO_SAMPLE_NAMES_H_

#include <string_view>

namespace dibao::sample_internal {

// Common surnames, most frequent first (the generator favours the front).
inline constexpr std::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
    "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
    "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦",
    "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎",
    "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
};

// Born before 1965.
inline constexpr std::string_view kOldMaleNames[] = {
    "建国", "国华", "国强", "建华", "志强", "卫国", "建军", "德华", "福生",
    "金山", "振华", "国庆", "永福", "德明", "庆林", "兴华", "宝林", "春生",
    "双喜", "保国", "树林", "长林", "德胜", "新民", "有才", "少华", "汉生",
    "洪",   "林",   "海",   "刚",   "福",   "成",   "忠",
};
inline constexpr std::string_view kOldFemaleNames[] = {
    "桂英", "秀英", "桂兰", "玉兰", "秀兰", "凤英", "淑珍", "玉珍", "秀珍",
    "翠花", "桂芳", "素芬", "淑英", "月英", "春兰", "冬梅", "金凤", "美华",
    "爱华", "红梅", "秀芳", "玉梅", "桂珍", "凤兰", "淑华", "玉芬", "秀云",
    "菊",   "兰",   "英",   "芳",   "梅",   "珍",
};

// Born 1965 to 1994.
inline constexpr std::string_view kMiddleMaleNames[] = {
    "伟",   "强",   "磊",   "军",   "勇",   "杰",   "涛",   "斌",   "超",
    "明",   "平",   "辉",   "鹏",   "飞",   "波",   "志刚", "建伟", "海涛",
    "晓东", "俊",   "峰",   "立新", "红军", "小龙", "文斌", "永强", "国栋",
    "海波", "建平", "志勇", "晓明", "剑",   "亮",   "卫东", "小军", "新华",
};
inline constexpr std::string_view kMiddleFemaleNames[] = {
    "芳",   "娜",   "敏",   "静",   "丽",   "艳",   "娟",   "霞",   "燕",
    "玲",   "萍",   "红",   "丽华", "红霞", "晓燕", "丽娟", "海燕", "春燕",
    "秀梅", "小红", "丽萍", "艳红", "慧",   "琳",   "晓玲", "雪梅", "玉洁",
    "文静", "莉",   "婷",   "小琴", "金玲", "晓红", "美玲",
};

// Born 1995 or later.
inline constexpr std::string_view kYoungMaleNames[] = {
    "浩然", "子轩", "宇轩", "俊杰", "浩宇", "子豪", "皓轩", "博文",
    "宇航", "一鸣", "天佑", "明轩", "思远", "子墨", "梓豪", "嘉豪",
    "睿",   "哲",   "宇",   "昊",   "轩",   "浩",   "晨阳", "俊熙",
    "家乐", "子健", "文博", "鹏程", "泽宇", "梓睿", "奕辰", "宇豪",
};
inline constexpr std::string_view kYoungFemaleNames[] = {
    "欣怡", "梓涵", "诗涵", "雨桐", "梓萱", "子涵", "可馨", "语嫣",
    "思琪", "佳怡", "一诺", "雨欣", "紫萱", "若曦", "欣妍", "晨曦",
    "梦瑶", "婉婷", "佳琪", "雅琪", "诗雨", "心怡", "静怡", "悦",
    "萱",   "琪",   "瑶",   "妍",   "雨涵", "梦琪", "欣然", "思雨",
};

// Streets (街道) and communities (社区): the generator draws 4-6 streets and
// gives each 2-4 communities, every community name used once.
inline constexpr std::string_view kStreetNames[] = {
    "东风街道", "和平街道", "解放街道", "人民街道", "胜利街道", "新华街道",
    "中山街道", "红旗街道", "长江街道", "前进街道", "汉江街道", "劳动街道",
};
inline constexpr std::string_view kCommunityNames[] = {
    "建设社区", "幸福社区", "光明社区", "友谊社区",   "民主社区", "团结社区",
    "向阳社区", "花园社区", "振兴社区", "五一社区",   "东湖社区", "西苑社区",
    "南门社区", "北街社区", "和谐社区", "育才社区",   "春晓社区", "锦绣社区",
    "桃园社区", "青年社区", "红星社区", "朝阳社区",   "新村社区", "永安社区",
    "安居社区", "园林社区", "文化社区", "百步亭社区",
};

}  // namespace dibao::sample_internal

#endif  // DIBAO_SAMPLE_NAMES_H_
